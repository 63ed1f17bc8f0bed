/**
 * What `tryon models` reports: each manifest model with its file, size, licence and hash
 * status, plus the execution providers and which of them work. The CLI only formats this.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Device } from '../config.ts';
import { asTryonError, type TryonError } from '../errors.ts';
import { readManifest } from './manifest.ts';
import { allProviderStatus, resolveProvider, type ProviderStatus } from './providers.ts';

export type HashStatus = 'ok' | 'mismatch' | 'missing';

export interface ModelFileReport {
  name: string;
  file: string;
  /** Absolute path checked. */
  path: string;
  size: number | null;
  licence: string;
  source: string;
  hash: HashStatus;
  expectedSha256: string;
  actualSha256: string | null;
}

export interface ModelsReport {
  modelsDir: string;
  models: ModelFileReport[];
  providers: ProviderStatus[];
  /** What the requested device resolves to, or why it cannot be used. */
  device: { requested: Device; provider: string | null; error: TryonError | null };
  /** True when every model file is present and matches its hash. */
  ok: boolean;
}

/** Hashes every model file in the manifest, probes the execution providers and resolves `device`. */
export async function modelsReport(modelsDir: string, device: Device = 'auto'): Promise<ModelsReport> {
  const manifest = await readManifest(modelsDir);
  const models = await Promise.all(
    manifest.models.map(async (m): Promise<ModelFileReport> => {
      const file = path.resolve(modelsDir, m.file);
      const base = {
        name: m.name,
        file: m.file,
        path: file,
        licence: m.licence,
        source: `${m.source.package}@${m.source.version}`,
        expectedSha256: m.sha256,
      };
      try {
        const bytes = await readFile(file);
        const actual = createHash('sha256').update(bytes).digest('hex');
        return { ...base, size: bytes.length, hash: actual === m.sha256 ? 'ok' : 'mismatch', actualSha256: actual };
      } catch {
        return { ...base, size: null, hash: 'missing', actualSha256: null };
      }
    }),
  );
  const providers = await allProviderStatus();
  let resolved: ModelsReport['device'];
  try {
    resolved = { requested: device, provider: await resolveProvider(device), error: null };
  } catch (err) {
    resolved = { requested: device, provider: null, error: asTryonError(err) };
  }
  return { modelsDir: path.resolve(modelsDir), models, providers, device: resolved, ok: models.every((m) => m.hash === 'ok') };
}

/** The files that fail the hash check, as "file (mismatch|missing)". */
export function failingFiles(report: ModelsReport): string[] {
  return report.models.filter((m) => m.hash !== 'ok').map((m) => `${m.path} (${m.hash})`);
}
