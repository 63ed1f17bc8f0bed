/** `tryon run`: registered by its issue's work (temporary empty registration during development). */
import type { Command } from 'commander';

export function registerRun(_program: Command): void {}
