/**
 * Garment analysis speed: median wall time of analyseGarment per catalog photo (768x1024),
 * one core, after a warm-up pass. `npx tsx scripts/bench-garment.ts [rounds]`.
 * Reads the shared fixtures (../shared/fixtures); the machine's load makes single runs noisy,
 * so it reports the median and the quartiles over all photos x rounds.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { analyseGarment } from '../src/garment/analyse.ts';
import { renderTemplate } from '../src/garment/templates.ts';
import { HAVE_SHARED, catalog, garmentPath } from '../test/fixtures.ts';

const rounds = Number(process.argv[2] ?? 3);
// One core: libvips decodes on one thread, like a batch worker with a one-thread budget.
sharp.concurrency(1);
if (!HAVE_SHARED) {
  console.error('shared fixtures absent: nothing to measure');
  process.exit(1);
}
const photos = catalog().map((e) => ({ e, bytes: readFileSync(garmentPath(e)) }));
const quart = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): string => s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(1);
  return `median ${q(0.5)} ms (p25 ${q(0.25)}, p75 ${q(0.75)}, max ${s[s.length - 1].toFixed(1)}) over ${s.length} runs`;
};
for (const { e, bytes } of photos) await analyseGarment(bytes, { type: e.type });
const times: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const { e, bytes } of photos) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await analyseGarment(bytes, { type: e.type });
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    times.push(performance.now() - t0);
  }
}
// Wall time suffers from other processes on a shared machine; CPU time much less so.
console.log(`analyseGarment 768x1024 wall: ${quart(times)}`);
console.log(`analyseGarment 768x1024 cpu:  ${quart(cpu)}`);
const recolour: number[] = [];
for (const { e, bytes } of photos.slice(0, 10)) {
  const t0 = performance.now();
  await analyseGarment(bytes, { type: e.type, color: '#1e90ff' });
  recolour.push(performance.now() - t0);
}
console.log(`analyseGarment + recolour: ${quart(recolour)}`);
const tpl: number[] = [];
for (const t of ['tshirt', 'polo', 'longsleeve', 'tank', 'dress', 'trousers', 'jeans', 'shorts', 'skirt']) {
  const t0 = performance.now();
  await renderTemplate(t, '#336699');
  tpl.push(performance.now() - t0);
}
console.log(`renderTemplate 768x1024: ${quart(tpl)}`);
