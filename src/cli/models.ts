/** `tryon models`: registered by its issue's work (temporary empty registration during development). */
import type { Command } from 'commander';

export function registerModels(_program: Command): void {}
