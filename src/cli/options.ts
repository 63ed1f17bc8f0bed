/**
 * The options several commands share, each defined once: the execution provider, the models
 * folder, the analysis cache and the render threads. `pipelineOptions` turns them into the
 * library's TryonOptions, checked with the standard messages (naming the flag and the
 * accepted values).
 */
import path from 'node:path';
import { Option } from 'commander';
import { DEVICES } from '../config.ts';
import type { TryonOptions } from '../pipeline.ts';
import { GARMENT_PHOTO_SOURCES, type GarmentPhotoSource } from '../types.ts';
import { oneOf, parseInteger } from '../validate.ts';

/** The shared flags as commander parses them. */
export interface SharedFlags {
  device?: string;
  modelsDir?: string;
  /** The models folder's older spelling (hidden). */
  models?: string;
  cacheDir?: string;
  cache?: boolean;
  threads?: string;
}

/** Each shared option, defined once; commands chain them: `.addOption(shared.device())`. */
export const shared = {
  device: (): Option => new Option('--device <device>', `execution provider: ${DEVICES.join(', ')}`).default('auto'),
  modelsDir: (): Option => new Option('--models-dir <dir>', 'models folder (default: the package models/)'),
  /** The models folder's older spelling on `batch` and `serve`, kept working but not shown. */
  models: (): Option => new Option('--models <dir>', 'the same as --models-dir').hideHelp(),
  cacheDir: (): Option => new Option('--cache-dir <dir>', 'person analysis cache folder (default: ~/.cache/tryon)'),
  noCache: (): Option => new Option('--no-cache', 'do not read or write the person analysis cache'),
  threads: (): Option => new Option('--threads <n>', 'render worker threads (default: core count; 0 renders on the main thread)'),
  garmentSource: (): Option => new Option('--garment-source <source>', `what the garment photo shows: worn (someone wearing it), photo (the garment alone) or auto, decided from the photo (default)`),
};

/** --garment-source, checked: one of auto, photo, worn (auto when not given). */
export function garmentSource(value: string | undefined): GarmentPhotoSource {
  return oneOf('--garment-source', (value ?? 'auto').toLowerCase(), GARMENT_PHOTO_SOURCES);
}

/** The shared flags as pipeline options (only those given; the library fills in its defaults). */
export function pipelineOptions(flags: SharedFlags): TryonOptions & { device: (typeof DEVICES)[number] } {
  const models = flags.modelsDir ?? flags.models;
  return {
    device: oneOf('--device', flags.device ?? 'auto', DEVICES),
    ...(models ? { modelsDir: path.resolve(models) } : {}),
    ...(flags.cache === false ? { cacheDir: null } : flags.cacheDir ? { cacheDir: path.resolve(flags.cacheDir) } : {}),
    ...(flags.threads !== undefined ? { render: { threads: parseInteger('--threads', flags.threads, 0, 256) } } : {}),
  };
}
