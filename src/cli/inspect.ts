/** `tryon inspect`: registered by its issue's work (temporary empty registration during development). */
import type { Command } from 'commander';

export function registerInspect(_program: Command): void {}
