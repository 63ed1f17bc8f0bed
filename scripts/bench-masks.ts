/**
 * Times buildMasks (the per-pair roles of src/render/masks.ts) over real pairs: the shared
 * fixture persons x a spread of catalog garments (tees, a blouse, a shirt, trousers, jeans,
 * dresses) and two templates, with the crop and neckline tryOn uses. Prints the median ms of
 * the first call per (person, category), which fills the person's cache bands, and of the later
 * calls, and the cache's bytes per (person, category). Person analyses come from the disk cache
 * when it has them (else the models run once per photo).
 *
 *   npx tsx scripts/bench-masks.ts [--persons 12] [--direct]
 *
 * --direct times buildMasksDirect (every pixel evaluated afresh: what buildMasks cost before
 * its cache) instead.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Tryon } from '../src/pipeline.ts';
import { fitGarment } from '../src/render/tryon.ts';
import { PersonState } from '../src/render/state.ts';
import { buildMasks, buildMasksDirect } from '../src/render/masks.ts';
import type { GarmentAnalysis, PersonAnalysis } from '../src/types.ts';
import { catalog, garmentPath, HAVE_SHARED, personPhotos } from '../test/fixtures.ts';

const GARMENTS = ['00055_00', '00126_00', '00470_00', '049949_1', '051412_1', '051827_1', '051998_1', '053742_1'];

const { values } = parseArgs({ options: { persons: { type: 'string', default: '12' }, direct: { type: 'boolean', default: false } } });
if (!HAVE_SHARED) {
  process.stderr.write('bench-masks needs the shared fixture photographs (../shared/fixtures)\n');
  process.exit(1);
}
const build = values.direct ? buildMasksDirect : buildMasks;
const tryon = await Tryon.create({ device: 'cpu', concurrency: 1 });
const garments: GarmentAnalysis[] = [];
for (const id of GARMENTS) {
  const e = catalog().find((c) => c.id === id);
  if (e) garments.push(await tryon.analyseGarment(garmentPath(e), { type: e.type as GarmentAnalysis['type'], category: e.category, name: id }));
}
garments.push(await tryon.template('tshirt', '#2a6fb0'), await tryon.template('dress', '#8e3b5f'));

const first: number[] = [];
const later: number[] = [];
const bytes: number[] = [];
let pixels = 0;
for (const file of personPhotos().slice(0, Number(values.persons))) {
  let person: PersonAnalysis;
  try {
    person = await tryon.analysePerson(file);
  } catch (e) {
    process.stderr.write(`skipped ${path.basename(file)}: ${(e as Error).message}\n`);
    continue;
  }
  const seen = new Set<string>();
  const state = new PersonState(person);
  for (const garment of garments) {
    const { body, plan, box } = fitGarment(state, garment);
    const necks = plan.main.filter((c) => c.name.startsWith('neckline_'));
    const neckY = necks.length ? necks.reduce((a, c) => a + c.body.y, 0) / necks.length + 0.04 * body.shoulderWidth : undefined;
    const t = performance.now();
    build(state, garment.category, box, { neckY });
    (seen.has(garment.category) ? later : first).push(performance.now() - t);
    seen.add(garment.category);
    pixels += box.width * box.height;
  }
  bytes.push(state.planesBytes() / seen.size);
}

function stats(v: number[]): string {
  const s = [...v].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(2)} ms, p90 ${s[Math.floor(s.length * 0.9)].toFixed(2)} ms (${s.length} calls)`;
}
const n = first.length + later.length;
process.stdout.write(
  `${values.direct ? 'buildMasksDirect' : 'buildMasks'}: ${bytes.length} persons x ${garments.length} garments, mean crop ${Math.round(pixels / n / 1000)} kpx\n` +
    `  first call per (person, category): ${stats(first)}\n` +
    `  later calls:                       ${stats(later)}\n` +
    (values.direct ? '' : `  cache per (person, category):      median ${(bytes.sort((a, b) => a - b)[bytes.length >> 1] / 1024).toFixed(0)} KiB, max ${(bytes[bytes.length - 1] / 1024).toFixed(0)} KiB\n`),
);
await tryon.close();
