/** `tryon serve`: registered by its issue's work (temporary empty registration during development). */
import type { Command } from 'commander';

export function registerServe(_program: Command): void {}
