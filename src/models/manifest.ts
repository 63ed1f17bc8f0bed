/**
 * models/manifest.json: what each converted model is, where it came from, and the sha256 the
 * registry checks at first load. Written by scripts/convert-models.ts, read by the registry
 * and `tryon models`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TryonError } from '../errors.ts';

export const MODEL_NAMES = ['blazepose-detector', 'blazepose-lite', 'blazepose-full', 'blazepose-heavy'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface TensorSpec {
  name: string;
  /** Fixed shape, batch 1. Image tensors are NHWC (as in TF.js). */
  shape: number[];
}

export interface ManifestEntry {
  name: ModelName;
  /** File name inside the models folder. */
  file: string;
  source: {
    package: string;
    version: string;
    /** The TF.js graph model files inside the package, with their sha256. */
    files: { path: string; sha256: string }[];
    origin: string;
  };
  licence: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  sha256: string;
  size: number;
}

export interface ModelManifest {
  format: 1;
  /** Converter that produced the files. */
  generator: string;
  opset: number;
  models: ManifestEntry[];
}

export const MANIFEST_FILE = 'manifest.json';

/** Reads and sanity-checks <modelsDir>/manifest.json. Throws TryonError('MODEL') when missing or malformed. */
export async function readManifest(modelsDir: string): Promise<ModelManifest> {
  const file = path.join(modelsDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new TryonError('MODEL', `Model manifest ${file} is missing or unreadable`, {
      input: file,
      cause,
      suggestion: 'Point --models-dir (or modelsDir) at the package models/ folder, or regenerate it with `npm run models:convert`.',
    });
  }
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(text) as ModelManifest;
  } catch (cause) {
    throw new TryonError('MODEL', `Model manifest ${file} is not valid JSON`, { input: file, cause });
  }
  if (manifest?.format !== 1 || !Array.isArray(manifest.models)) {
    throw new TryonError('MODEL', `Model manifest ${file} has an unknown format (expected format 1 with a models list)`, { input: file });
  }
  for (const m of manifest.models) {
    if (typeof m.name !== 'string' || typeof m.file !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256 ?? '')) {
      throw new TryonError('MODEL', `Model manifest ${file} has a malformed entry ${JSON.stringify(m?.name)}`, { input: file });
    }
  }
  return manifest;
}

export function manifestEntry(manifest: ModelManifest, name: ModelName, modelsDir: string): ManifestEntry {
  const entry = manifest.models.find((m) => m.name === name);
  if (!entry) {
    throw new TryonError('MODEL', `Model ${name} is not in ${path.join(modelsDir, MANIFEST_FILE)}`, {
      input: name,
      suggestion: 'Regenerate the models with `npm run models:convert`.',
    });
  }
  return entry;
}
