/** `tryon batch`: registered by its issue's work (temporary empty registration during development). */
import type { Command } from 'commander';

export function registerBatch(_program: Command): void {}
