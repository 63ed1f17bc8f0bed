/**
 * A registry for tests that only need run-time graphs (the render graphs): it creates and
 * caches CPU sessions like src/models/registry.ts does, without needing the model files.
 */
import * as ort from 'onnxruntime-node';
import type { ModelRegistry } from '../../src/models/registry.ts';

export function graphRegistry(threads = 1): ModelRegistry {
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  return {
    device: 'cpu',
    provider: 'cpu',
    session: () => Promise.reject(new Error('graphRegistry has no model files')),
    sessionFromBytes(key: string, bytes: Uint8Array | (() => Uint8Array)) {
      let s = sessions.get(key);
      if (!s) {
        s = ort.InferenceSession.create(typeof bytes === 'function' ? bytes() : bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
        sessions.set(key, s);
      }
      return s;
    },
    loaded: () => [...sessions.keys()].map((name) => ({ name, provider: 'cpu' })),
    async release() {
      for (const s of sessions.values()) await (await s).release();
      sessions.clear();
    },
  };
}
