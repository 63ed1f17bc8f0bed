/**
 * Execution providers: which ones this onnxruntime-node install has, which really work on
 * this machine (each is probed once per process with a tiny graph), and which one a
 * requested device resolves to. Unlike ORT's own silent CPU fallback, asking for `cuda` or
 * `webgpu` when it does not work is an error (TryonError 'DEVICE') with what to do about it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Device } from '../config.ts';
import { TryonError } from '../errors.ts';
import { DataType, GraphBuilder } from '../onnx/graph.ts';

export type ProviderName = 'cpu' | 'cuda' | 'webgpu';
export const PROVIDERS: readonly ProviderName[] = ['cpu', 'cuda', 'webgpu'];

export interface ProviderStatus {
  name: ProviderName;
  /** onnxruntime-node lists it and its binaries are present. */
  installed: boolean;
  /** A probe session was created and run on it. */
  works: boolean;
  /** Why it is not installed or does not work. */
  reason?: string;
}

export const CUDA_INSTALL_HINT =
  'Install the CUDA execution provider: `node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12` ' +
  '(needs the network and an NVIDIA driver with CUDA 12); see the README section "Models".';

/** Folder holding onnxruntime-node's native binaries (the CUDA provider libraries go there). */
export function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('onnxruntime-node');
  const root = main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`));
  return path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

function cudaLibraryPresent(): boolean {
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(path.join(ortBinaryDir(), lib));
}

/** y = x + [1, 2, 3, 4]: a session that runs it and answers 4 for y[3] works. */
function tinyGraph(): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input('x', DataType.FLOAT, [1, 4]);
  g.output(g.op('Add', [x, g.constF32([1, 2, 3, 4], [1, 4])]), 'y', DataType.FLOAT, [1, 4]);
  return g.build();
}

/** ORT messages carry source paths and lambdas; keep the sentence a user can act on. */
function cleanReason(message: string): string {
  const line = message.split('\n')[0];
  const tail = line.match(/was false\.\s*(.*)$/)?.[1] ?? line.replace(/^\/onnxruntime_src\/\S+\s+/, '');
  return tail.slice(0, 300);
}

/**
 * WebGPU is probed in a child process: Dawn writes adapter warnings (Vulkan missing) straight
 * to stderr, which would otherwise appear in every `tryon models` run on a machine without a GPU.
 */
function probeInChild(name: ProviderName): Promise<string | null> {
  const ortMain = createRequire(import.meta.url).resolve('onnxruntime-node');
  const script = `
    const ort = require(${JSON.stringify(ortMain)});
    const bytes = Buffer.from(process.argv[1], 'base64');
    ort.InferenceSession.create(bytes, { executionProviders: [${JSON.stringify(name)}], logSeverityLevel: 4 })
      .then((s) => s.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) }))
      .then((r) => process.stdout.write(JSON.stringify({ ok: r.y.data[3] === 4 })))
      .catch((e) => process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.message || e) })));`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script, Buffer.from(tinyGraph()).toString('base64')], { timeout: 30_000 }, (err, stdout) => {
      try {
        const r = JSON.parse(stdout) as { ok: boolean; error?: string };
        resolve(r.ok ? null : cleanReason(r.error ?? 'probe graph gave a wrong result'));
      } catch {
        resolve(cleanReason(err ? err.message : 'the probe process gave no answer'));
      }
    });
  });
}

async function probe(name: ProviderName): Promise<string | null> {
  if (name === 'webgpu') return probeInChild(name);
  try {
    const session = await ort.InferenceSession.create(tinyGraph(), { executionProviders: [name], logSeverityLevel: 4 });
    const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) });
    await session.release();
    return (y.data as Float32Array)[3] === 4 ? null : 'probe graph gave a wrong result';
  } catch (err) {
    return cleanReason(err instanceof Error ? err.message : String(err));
  }
}

/**
 * The process-wide registry of provider probes, the one piece of module state outside a
 * Tryon instance: which execution providers work is a fact about this machine and this
 * onnxruntime install, the same for every instance, and a probe costs a session (WebGPU's a
 * child process), so each provider is probed at most once per process.
 */
const PROBES = new Map<ProviderName, Promise<ProviderStatus>>();

/** Status of one provider, probed at most once per process. */
export function providerStatus(name: ProviderName): Promise<ProviderStatus> {
  let p = PROBES.get(name);
  if (!p) {
    p = (async (): Promise<ProviderStatus> => {
      const listed = ort.listSupportedBackends().some((b) => b.name === name);
      if (!listed) return { name, installed: false, works: false, reason: `onnxruntime-node ${ort.env.versions.common} does not list it` };
      // Probing CUDA without its library makes ORT print an error; check the file first.
      if (name === 'cuda' && !cudaLibraryPresent()) {
        return { name, installed: false, works: false, reason: `CUDA provider binaries are not installed in ${ortBinaryDir()}` };
      }
      const failure = await probe(name);
      return failure ? { name, installed: true, works: false, reason: failure } : { name, installed: true, works: true };
    })();
    PROBES.set(name, p);
  }
  return p;
}

export function allProviderStatus(): Promise<ProviderStatus[]> {
  return Promise.all(PROVIDERS.map(providerStatus));
}

/** The provider a requested device resolves to. Throws TryonError('DEVICE') when `cuda`/`webgpu` do not work. */
export async function resolveProvider(device: Device): Promise<ProviderName> {
  switch (device) {
    case 'cpu':
      return 'cpu';
    case 'auto':
      return (await providerStatus('cuda')).works ? 'cuda' : 'cpu';
    case 'cuda': {
      const s = await providerStatus('cuda');
      if (s.works) return 'cuda';
      throw new TryonError('DEVICE', `Device cuda was requested but the CUDA execution provider is not available: ${s.reason}`, {
        input: 'device',
        suggestion: `${CUDA_INSTALL_HINT} Or use --device cpu (or auto).`,
      });
    }
    case 'webgpu': {
      const s = await providerStatus('webgpu');
      if (s.works) return 'webgpu';
      throw new TryonError('DEVICE', `Device webgpu was requested but the WebGPU execution provider (experimental in onnxruntime-node) does not work here: ${s.reason}`, {
        input: 'device',
        suggestion: 'WebGPU needs a GPU adapter (Vulkan on Linux: libvulkan and a GPU driver). Use --device cpu, auto or cuda.',
      });
    }
  }
}
