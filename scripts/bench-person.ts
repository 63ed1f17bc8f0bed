/**
 * Person analysis benchmark and contact sheet: every photo in ../shared/fixtures/persons (or
 * the ones given) analysed with the ONNX models on CPU with 2 intra-op threads, repeated
 * --reps times; prints the median per step and overall, and with --sheet writes the overlays
 * as one contact sheet (to look at the parsing).
 *
 *   npx tsx scripts/bench-person.ts                          # all fixtures, 5 reps each
 *   npx tsx scripts/bench-person.ts --reps 20 photo.jpg      # one photo
 *   npx tsx scripts/bench-person.ts --reps 1 --sheet /tmp/persons.png --model heavy
 *
 * Timings on a shared machine are noisy: compare runs taken on the same machine together. The
 * process CPU time (all threads) is printed too: it moves less with other load than wall time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { defaultConfig, LANDMARK_MODELS } from '../src/config.ts';
import { createModelRegistry } from '../src/models/registry.ts';
import { analysePerson } from '../src/person/analyse.ts';
import { renderPersonOverlay } from '../src/person/overlay.ts';
import { oneOf } from '../src/validate.ts';
import { personPhotos } from '../test/fixtures.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    reps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: 'full' },
    sheet: { type: 'string' },
  },
});

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return Math.round((v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2) * 10) / 10;
};

async function main(): Promise<void> {
  const photos = positionals.length ? positionals : personPhotos();
  const reps = Math.max(1, Number(values.reps));
  const landmarkModel = oneOf('--model', values.model, LANDMARK_MODELS);
  const registry = await createModelRegistry({ modelsDir: defaultConfig().modelsDir, device: 'cpu', intraOpThreads: Number(values.threads) });
  const steps: Record<string, number[]> = {};
  const tiles: Buffer[] = [];
  try {
    for (const file of photos) {
      const bytes = readFileSync(file);
      // One untimed warm-up per photo (JIT, session load), then the timed repetitions.
      let a = await analysePerson(bytes, registry, { name: file, key: file, maxPixels: 40_000_000, landmarkModel });
      for (let r = 0; r < reps; r++) {
        const cpu = process.cpuUsage();
        a = await analysePerson(bytes, registry, { name: file, key: file, maxPixels: 40_000_000, landmarkModel });
        const used = process.cpuUsage(cpu);
        // CPU time of the whole process (all threads): less sensitive to other load than wall time.
        (steps['cpu (all threads)'] ??= []).push((used.user + used.system) / 1000);
        for (const [k, v] of Object.entries(a.timings)) (steps[k] ??= []).push(v);
      }
      const line = Object.entries(a.timings).map(([k, v]) => `${k} ${v}`).join('  ');
      process.stdout.write(`${path.basename(file)} ${a.width}x${a.height}  ${line}${a.warnings.length ? `  [${a.warnings.join('; ')}]` : ''}\n`);
      if (values.sheet) tiles.push(await sharp(await renderPersonOverlay(a)).resize(384, 512, { fit: 'contain', background: '#000' }).png().toBuffer());
    }
  } finally {
    await registry.release();
  }
  // The minimum is what the machine can do when nothing else runs; the median is what it did.
  process.stdout.write(`\nms over ${photos.length} photo(s) x ${reps} rep(s), ${values.threads} ORT threads, ${landmarkModel}:    median      min\n`);
  for (const [k, v] of Object.entries(steps)) process.stdout.write(`  ${k.padEnd(18)} ${String(median(v)).padStart(16)} ${String(Math.round(Math.min(...v) * 10) / 10).padStart(8)}\n`);
  if (values.sheet && tiles.length) {
    const cols = Math.min(7, tiles.length);
    const rows = Math.ceil(tiles.length / cols);
    await sharp({ create: { width: cols * 384, height: rows * 512, channels: 3, background: '#000' } })
      .composite(tiles.map((t, i) => ({ input: t, left: (i % cols) * 384, top: Math.floor(i / cols) * 512 })))
      .png()
      .toFile(values.sheet);
    process.stdout.write(`contact sheet: ${values.sheet}\n`);
  }
}

await main();
