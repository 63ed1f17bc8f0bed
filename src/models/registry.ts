/**
 * The model registry: one per Tryon instance (no module singletons). Resolves the device to
 * an execution provider once, loads each model on first use after checking its sha256
 * against models/manifest.json, and caches sessions for the life of the process.
 *
 *   const registry = await createModelRegistry({ modelsDir, device: 'auto', intraOpThreads: 2 });
 *   const session = await registry.session('blazepose-full');
 *   registry.provider; // 'cpu' | 'cuda' | 'webgpu': what the sessions really run on
 *
 * Throws TryonError('DEVICE') when `cuda`/`webgpu` was asked for and does not work, and
 * TryonError('MODEL') naming the file when a model is missing or its hash does not match.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Device } from '../config.ts';
import { TryonError } from '../errors.ts';
import { integerIn, invalid } from '../validate.ts';
import { manifestEntry, readManifest, type ManifestEntry, type ModelManifest, type ModelName } from './manifest.ts';
import { resolveProvider, type ProviderName } from './providers.ts';

export type { ModelName } from './manifest.ts';

export interface ModelRegistry {
  /** The device asked for (src/config.ts). */
  readonly device: Device;
  /** The execution provider the sessions really use: 'cpu' | 'cuda' | 'webgpu'. */
  readonly provider: string;
  /** The session of a converted model: hash-checked at first load, cached for the process. */
  session(name: ModelName): Promise<ort.InferenceSession>;
  /**
   * A session for a graph built at run time (render graphs), cached by key, same provider.
   * `bytes` may be a function that builds the graph: it is called only when the key is new.
   */
  sessionFromBytes(key: string, bytes: Uint8Array | (() => Uint8Array)): Promise<ort.InferenceSession>;
  /** Sessions loaded so far and the provider each runs on. */
  loaded(): { name: string; provider: string }[];
  release(): Promise<void>;
}

export interface RegistryOptions {
  modelsDir: string;
  device: Device;
  /** ONNX Runtime intra-op threads per session (src/threads.ts budgets them). */
  intraOpThreads: number;
}

/** Reads a model file and checks it against its manifest entry. */
export async function readVerifiedModel(modelsDir: string, entry: ManifestEntry): Promise<Uint8Array> {
  const file = path.join(modelsDir, entry.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new TryonError('MODEL', `Model file ${file} (${entry.name}) is missing or unreadable`, {
      input: file,
      cause,
      suggestion: 'Reinstall the package or regenerate the models with `npm run models:convert`.',
    });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== entry.sha256) {
    throw new TryonError('MODEL', `Model file ${file} (${entry.name}) is corrupt: sha256 ${actual} does not match the manifest's ${entry.sha256}`, {
      input: file,
      suggestion: 'Reinstall the package or regenerate the models with `npm run models:convert`.',
    });
  }
  return bytes;
}

class Registry implements ModelRegistry {
  private sessions = new Map<string, Promise<ort.InferenceSession>>();
  private done: { name: string; provider: string }[] = [];

  constructor(
    readonly device: Device,
    readonly provider: ProviderName,
    private readonly modelsDir: string,
    private readonly manifest: ModelManifest,
    private readonly options: ort.InferenceSession.SessionOptions,
  ) {}

  session(name: ModelName): Promise<ort.InferenceSession> {
    return this.cached(`model:${name}`, name, async () => {
      const entry = manifestEntry(this.manifest, name, this.modelsDir);
      return readVerifiedModel(this.modelsDir, entry);
    });
  }

  sessionFromBytes(key: string, bytes: Uint8Array | (() => Uint8Array)): Promise<ort.InferenceSession> {
    if (typeof key !== 'string' || !key) throw invalid('key', 'non-empty string', key);
    const check = (b: unknown): Uint8Array => {
      if (!(b instanceof Uint8Array) || !b.length) throw invalid(`bytes of ${key}`, 'non-empty Uint8Array (an ONNX model)', b);
      return b;
    };
    if (typeof bytes !== 'function') check(bytes);
    return this.cached(`graph:${key}`, key, async () => check(typeof bytes === 'function' ? bytes() : bytes));
  }

  private cached(cacheKey: string, name: string, load: () => Promise<Uint8Array>): Promise<ort.InferenceSession> {
    let p = this.sessions.get(cacheKey);
    if (!p) {
      p = (async () => {
        const bytes = await load();
        let session: ort.InferenceSession;
        try {
          session = await ort.InferenceSession.create(bytes, this.options);
        } catch (cause) {
          throw new TryonError('MODEL', `Model ${name} failed to load on ${this.provider}: ${cause instanceof Error ? cause.message : String(cause)}`, { input: name, cause });
        }
        this.done.push({ name, provider: this.provider });
        return session;
      })();
      p.catch(() => this.sessions.delete(cacheKey));
      this.sessions.set(cacheKey, p);
    }
    return p;
  }

  loaded(): { name: string; provider: string }[] {
    return this.done.map((d) => ({ ...d }));
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.done = [];
    for (const p of all) {
      const s = await p.catch(() => null);
      await s?.release();
    }
  }
}

/**
 * Creates a registry: reads the manifest and resolves the device (probing CUDA/WebGPU once).
 * Models load lazily on first `session()`.
 */
export async function createModelRegistry(opts: RegistryOptions): Promise<ModelRegistry> {
  integerIn('intraOpThreads', opts.intraOpThreads, 1, 1024);
  const provider = await resolveProvider(opts.device);
  const manifest = await readManifest(opts.modelsDir);
  return new Registry(opts.device, provider, opts.modelsDir, manifest, {
    executionProviders: [provider],
    intraOpNumThreads: opts.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // ORT's idle intra-op threads spin by default and take cores from the JavaScript steps and
    // from the other pairs in flight; measured at 2-3x slower person analysis on 2 cores.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}
