/**
 * Person-to-person transfer sheets: every source person photo read as a worn garment of a
 * category (Tryon.analyseGarment with source 'worn') and put on every target person, measured
 * with the quality harness (spill, remnants: scripts/quality/metrics.ts) and the garment core's
 * colour against the source's (scripts/quality/worn.ts). Writes to --out:
 *   worn-<category>.png   targets as rows, sources as columns (the cut-out garment on top),
 *                         each result with its spill and core dE2000 (red when over 0.5 % / 8)
 *   worn.json             one record per pair, and per category the counts over the limits
 *
 *   npx tsx scripts/worn-sheet.ts [--out /tmp/tryon-worn] [--persons a.jpg,b.png,...]
 *       [--sources-upper ...] [--sources-lower ...] [--sources-dress ...]
 *       [--categories upper,lower,dress] [--cache-dir dir] [--save]
 * Defaults: 8 shared persons as targets, and as the sources of tops; bottoms from 8 persons
 * whose trousers or skirt the photo shows whole, dresses from the 7 dress photos and a
 * two-piece (a top over a skirt, read as one dress).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { Tryon } from '../src/pipeline.ts';
import { PersonState } from '../src/render/state.ts';
import { encodeImage } from '../src/image/encode.ts';
import type { GarmentAnalysis, GarmentCategory, RawImage } from '../src/types.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from '../test/fixtures.ts';
import { measurePair, personPlanes, type PairMetrics } from './quality/metrics.ts';
import { coreDeltaE } from './quality/worn.ts';

const PERSONS = ['01861_00.jpg', '049205_0.jpg', '049447_0.jpg', '051962_0.jpg', '07966_00.jpg', 'model_4.png', 'model_7.png', '053228_0.jpg'];
/** Sources per category: the targets themselves for tops; for bottoms and dresses persons whose photo shows one whole. */
const SOURCES: Record<GarmentCategory, string[]> = {
  upper: PERSONS,
  lower: ['049205_0.jpg', '049447_0.jpg', '051482_0.jpg', '051918_0.jpg', '051962_0.jpg', 'model_8.png', '01008_00.jpg', '02849_00.jpg'],
  dress: ['052472_0.jpg', '052767_0.jpg', '052964_0.jpg', '053228_0.jpg', '053514_0.jpg', '053700_0.jpg', 'model_9.png', '02849_00.jpg'],
};
const SPILL_LIMIT = 0.5;
const DE_LIMIT = 8;
const TILE_W = 150;
const TILE_H = 200;
const LABEL_H = 16;

interface WornRecord {
  category: GarmentCategory;
  source: string;
  target: string;
  type?: string;
  sleeve?: string;
  spill?: number;
  remnants?: number;
  coreDeltaE?: number | null;
  ms?: number;
  error?: string;
}

const rawTile = (img: RawImage): Sharp => sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: img.channels } });

async function tile(img: RawImage | null, text: string, bad: boolean): Promise<Buffer> {
  const body = img ? await rawTile(img).resize(TILE_W, TILE_H, { fit: 'contain', background: '#fff' }).png().toBuffer() : await sharp({ create: { width: TILE_W, height: TILE_H, channels: 3, background: '#400' } }).png().toBuffer();
  const label = Buffer.from(`<svg width="${TILE_W}" height="${LABEL_H}"><rect width="${TILE_W}" height="${LABEL_H}" fill="${bad ? '#a00' : '#000'}"/><text x="3" y="12" font-size="11" fill="white" font-family="sans-serif">${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text></svg>`);
  return sharp({ create: { width: TILE_W, height: TILE_H + LABEL_H, channels: 3, background: '#000' } }).composite([{ input: body, top: 0, left: 0 }, { input: label, top: TILE_H, left: 0 }]).png().toBuffer();
}

/** The grid: the sources' cut-outs on top, the targets down the left, results in between. */
async function sheet(cells: Buffer[][], title: string): Promise<Buffer> {
  const rows = cells.length;
  const cols = cells[0].length;
  const h = TILE_H + LABEL_H;
  const layers: OverlayOptions[] = [{ input: Buffer.from(`<svg width="${cols * TILE_W}" height="20"><text x="4" y="15" font-size="14" fill="white" font-family="sans-serif">${title}</text></svg>`), top: 0, left: 0 }];
  cells.forEach((row, r) => row.forEach((t, c) => layers.push({ input: t, top: 20 + r * h, left: c * TILE_W })));
  return sharp({ create: { width: cols * TILE_W, height: 20 + rows * h, channels: 3, background: '#222' } }).composite(layers).png().toBuffer();
}

async function analyseSources(tryon: Tryon, files: string[], category: GarmentCategory, records: WornRecord[]): Promise<(GarmentAnalysis | null)[]> {
  const out: (GarmentAnalysis | null)[] = [];
  for (const f of files) {
    try {
      out.push(await tryon.analyseGarment(f, { category, source: 'worn' }));
    } catch (err) {
      records.push({ category, source: path.basename(f), target: '-', error: (err as Error).message });
      out.push(null);
    }
  }
  return out;
}

async function runCategory(tryon: Tryon, category: GarmentCategory, targets: string[], sources: string[], out: string, save: boolean, records: WornRecord[]): Promise<void> {
  const garments = await analyseSources(tryon, sources, category, records);
  const header = [await tile(null, category, false)];
  for (let i = 0; i < sources.length; i++) {
    const g = garments[i];
    header.push(await tile(g ? g.image : null, g ? `${path.parse(sources[i]).name} ${g.type}` : `${path.parse(sources[i]).name} failed`, !g));
  }
  const rows: Buffer[][] = [header];
  for (const file of targets) {
    const person = await tryon.analysePerson(file);
    const planes = personPlanes(person, new PersonState(person).body.shoulderWidth);
    const row = [await tile(person.image, path.parse(file).name, false)];
    const started = garments.map((g) => (g ? timed(() => tryon.tryOn(person, g, { size: 'M' })) : null));
    for (let i = 0; i < garments.length; i++) {
      const g = garments[i];
      const base: WornRecord = { category, source: path.basename(sources[i]), target: path.basename(file) };
      if (!g || !started[i]) {
        row.push(await tile(null, 'no garment', true));
        continue;
      }
      try {
        const { value: res, ms } = await started[i]!;
        const layers = res.layers!;
        const m: PairMetrics = measurePair(planes, { person, result: res.image, garmentMask: layers.garmentMask, warpedGarment: layers.warpedGarment, exposedSkin: layers.exposedSkin, sleeves: null, category, sleeved: false });
        const dE = coreDeltaE(g, res.image, layers.garmentMask);
        records.push({ ...base, type: g.type, sleeve: g.sleeve, spill: m.spill, remnants: m.remnants, coreDeltaE: dE, ms: Math.round(ms) });
        const bad = m.spill > SPILL_LIMIT || dE === null || dE > DE_LIMIT;
        row.push(await tile(res.image, `spill ${m.spill.toFixed(2)} dE ${dE === null ? '-' : dE.toFixed(1)} rem ${m.remnants.toFixed(1)}`, bad));
        if (save) await writeFile(path.join(out, 'renders', `${category}__${path.parse(file).name}__${path.parse(sources[i]).name}.jpg`), await encodeImage(res.image, 'jpeg', 90));
      } catch (err) {
        records.push({ ...base, error: (err as Error).message });
        row.push(await tile(null, 'error', true));
      }
    }
    rows.push(row);
    tryon.forget(person);
  }
  await writeFile(path.join(out, `worn-${category}.png`), await sheet(rows, `worn ${category}: targets (rows) x sources (columns); label: spill % / core dE2000 / remnants %`));
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

function counts(records: WornRecord[], category: GarmentCategory): object {
  const done = records.filter((r) => r.category === category && r.spill !== undefined);
  return {
    pairs: done.length,
    failed: records.filter((r) => r.category === category && r.error).length,
    spillOver: done.filter((r) => r.spill! > SPILL_LIMIT).length,
    deltaEOver: done.filter((r) => r.coreDeltaE === null || r.coreDeltaE! > DE_LIMIT).length,
    spillMax: Math.max(0, ...done.map((r) => r.spill!)),
    deltaEMedian: median(done.map((r) => r.coreDeltaE).filter((v): v is number => v !== null && v !== undefined)),
  };
}

const median = (v: number[]): number | null => (v.length ? [...v].sort((a, b) => a - b)[v.length >> 1] : null);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/tryon-worn' },
      persons: { type: 'string' },
      'sources-upper': { type: 'string' },
      'sources-lower': { type: 'string' },
      'sources-dress': { type: 'string' },
      categories: { type: 'string', default: 'upper,lower,dress' },
      'cache-dir': { type: 'string' },
      save: { type: 'boolean', default: false },
    },
  });
  if (!HAVE_SHARED) throw new Error(`worn-sheet: the shared photographs are not at ${SHARED_FIXTURES} (set TRYON_SHARED_FIXTURES)`);
  const photo = (name: string): string => path.join(SHARED_FIXTURES, 'persons', name);
  const list = (v: string | undefined, fallback: string[]): string[] => (v ? v.split(',') : fallback).map(photo);
  const targets = list(values.persons, PERSONS);
  const out = values.out!;
  await mkdir(path.join(out, 'renders'), { recursive: true });
  const tryon = await Tryon.create({ cacheDir: values['cache-dir'] ?? null });
  const records: WornRecord[] = [];
  const summary: Record<string, object> = {};
  const t0 = performance.now();
  for (const category of values.categories!.split(',') as GarmentCategory[]) {
    const sources = list(values[`sources-${category}` as 'sources-upper'], SOURCES[category]);
    await runCategory(tryon, category, targets, sources, out, values.save!, records);
    summary[category] = counts(records, category);
    console.log(category, JSON.stringify(summary[category]));
  }
  await tryon.close();
  await writeFile(path.join(out, 'worn.json'), JSON.stringify({ summary, pairs: records }, null, 1));
  for (const r of records.filter((r) => r.error)) console.log(`failed: ${r.category} ${r.source} -> ${r.target}: ${r.error}`);
  console.log(`${records.length} records in ${((performance.now() - t0) / 1000).toFixed(0)} s; written to ${out}`);
}

await main();
