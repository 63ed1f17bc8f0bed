/**
 * Digests for `--resume`: a pair is skipped only when its output exists and this digest
 * (person bytes + garment bytes or template spec + output options + tool and model versions)
 * equals the one recorded when the output was written. Touching a photo, changing a colour,
 * a size, the format or upgrading the tool or its models re-renders exactly the pairs affected.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../config.ts';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file's bytes; an unreadable file gets a digest naming the failure, so its pairs re-run. */
export async function fileDigest(file: string): Promise<string> {
  try {
    return sha256Hex(await readFile(file));
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/** The tool version, plus the models manifest's digest when there is one (new models, new pictures). */
export function toolVersion(modelsDir = path.join(PACKAGE_ROOT, 'models')): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const manifest = path.join(modelsDir, 'manifest.json');
  const models = existsSync(manifest) ? sha256Hex(readFileSync(manifest)).slice(0, 16) : 'none';
  return `${pkg.version}+models.${models}`;
}

/** The digest of one pair: every input that changes its output picture. */
export function pairDigest(parts: {
  person: string;
  garment: string;
  garmentSpec: unknown;
  options: unknown;
  version: string;
}): string {
  return sha256Hex(JSON.stringify([parts.version, parts.person, parts.garment, parts.garmentSpec, parts.options]));
}
