/**
 * `npm run quality`: renders the quality set (scripts/quality/pairs.ts: every shared person x
 * 15 garments chosen for the hard transitions) and measures each pair with numbers that see the
 * defects a catalog team sees (scripts/quality/metrics.ts). Writes to --out:
 *   quality.json        one record per pair + the summary (count, median, p10/p90, share bad)
 *   sheet-NN.png        person | garment | result, three pairs a row, four rows a sheet
 *   worst-<metric>.png  the 20 worst pairs by each metric
 *   renders/            every result at full size (JPEG), with --save
 *   explain/            per pair, what each area metric counted painted over the result, with --explain
 * and prints the summary against the committed baseline (test/quality-baseline.json).
 *
 *   npm run quality -- [--out /tmp/tryon-quality] [--persons 4 | --only a.jpg,b.png]
 *                      [--garments 00055_00,template:tshirt] [--save] [--explain] [--no-sheets]
 *                      [--update-baseline]
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Tryon } from '../src/pipeline.ts';
import { encodeImage } from '../src/image/encode.ts';
import { HAVE_SHARED, PROJECT_ROOT, SHARED_FIXTURES, personPhotos } from '../test/fixtures.ts';
import { garmentName, QUALITY_GARMENTS, type PairRecord } from './quality/pairs.ts';
import { runQuality } from './quality/run.ts';
import { contactSheets, explainOverlay, pairTiles, personTile, worstSheets, type PairTiles } from './quality/sheets.ts';
import { summary, summaryTable, type QualitySummary } from './quality/summary.ts';

const BASELINE = path.join(PROJECT_ROOT, 'test', 'quality-baseline.json');

interface QualityFile {
  summary: QualitySummary;
  pairs: PairRecord[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/tryon-quality' },
      persons: { type: 'string' },
      only: { type: 'string' },
      garments: { type: 'string' },
      save: { type: 'boolean', default: false },
      explain: { type: 'boolean', default: false },
      'no-sheets': { type: 'boolean', default: false },
      'update-baseline': { type: 'boolean', default: false },
      baseline: { type: 'string', default: BASELINE },
    },
  });
  if (!HAVE_SHARED) throw new Error(`quality: the shared photographs are not at ${SHARED_FIXTURES} (set TRYON_SHARED_FIXTURES)`);
  const only = values.only ? new Set(values.only.split(',')) : null;
  const limit = values.persons ? Number(values.persons) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`Expected a positive integer for --persons but received ${values.persons}`);
  const persons = personPhotos().filter((p) => !only || only.has(path.basename(p))).slice(0, limit);
  const wanted = values.garments ? new Set(values.garments.split(',')) : null;
  const garments = QUALITY_GARMENTS.filter((g) => !wanted || wanted.has(garmentName(g)));
  if (persons.length === 0 || garments.length === 0) throw new Error('quality: no persons or no garments selected');
  const out = values.out!;
  await mkdir(path.join(out, 'renders'), { recursive: true });
  if (values.explain) await mkdir(path.join(out, 'explain'), { recursive: true });

  const tryon = await Tryon.create({ cacheDir: null });
  const tiles: PairTiles[] = [];
  const personTiles = new Map<string, Promise<Buffer>>();
  const t0 = performance.now();
  const records = await runQuality(tryon, {
    persons,
    garments,
    explain: values.explain,
    onPair: async ({ record, person, garment, result, explanation }) => {
      const stem = `${path.parse(record.person).name}__${record.garment.replace(':', '-')}`;
      if (values.save && result) await writeFile(path.join(out, 'renders', `${stem}.jpg`), await encodeImage(result, 'jpeg', 92));
      if (explanation && result) await writeFile(path.join(out, 'explain', `${stem}.png`), await explainOverlay(result, explanation));
      if (values['no-sheets']) return;
      if (!personTiles.has(record.person)) personTiles.set(record.person, personTile(person, record.person));
      tiles.push(await pairTiles(record, person, garment, result, await personTiles.get(record.person)));
      if (tiles.length % 30 === 0) process.stderr.write(`${tiles.length} pairs measured\n`);
    },
  });
  await tryon.close();
  const seconds = (performance.now() - t0) / 1000;

  const now = summary(records);
  const file: QualityFile = { summary: now, pairs: records };
  await writeFile(path.join(out, 'quality.json'), JSON.stringify(file, null, 1));
  if (!values['no-sheets']) {
    const sheets = await contactSheets(tiles);
    await Promise.all(sheets.map((png, i) => writeFile(path.join(out, `sheet-${String(i + 1).padStart(2, '0')}.png`), png)));
    for (const { metric, png } of await worstSheets(tiles)) await writeFile(path.join(out, `worst-${metric}.png`), png);
  }
  const base = existsSync(values.baseline!) ? (JSON.parse(await readFile(values.baseline!, 'utf8')) as QualityFile) : null;
  console.log(summaryTable(now, base?.summary));
  for (const r of records.filter((r) => r.error)) console.log(`failed: ${r.person} x ${r.garment}: ${r.error}`);
  console.log(`\n${records.length} pairs in ${seconds.toFixed(0)} s; written to ${out}`);
  if (values['update-baseline']) {
    await writeFile(values.baseline!, JSON.stringify(file, null, 1) + '\n');
    console.log(`baseline updated: ${values.baseline}`);
  }
}

await main();
