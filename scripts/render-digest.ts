/**
 * Renders a fixed list of fixture pairs through the public library and prints the sha256 of
 * each output image's pixels, so a change that must not change the pictures can be checked:
 * run it before and after, then compare (`--against before.json` lists the pairs that differ
 * and by how many levels at most).
 *
 * Pairs: every person in ../shared/fixtures/persons in three garments, chosen by the person's
 * index so that every list position is covered: a catalog top, a catalog bottom or dress
 * (alternating), and a built-in template (all nine types in turn, in a colour of its own).
 * 28 persons give 84 pairs. `--engine onnx` renders them through the ONNX graphs instead of
 * the TypeScript path (slower; same bytes within 1).
 *
 *   npx tsx scripts/render-digest.ts [--out digest.json] [--against before.json] [--save dir] [--engine js|onnx]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Tryon, type GarmentAnalysis, type GarmentType, type RawImage } from '../src/index.ts';
import { catalog, garmentPath, HAVE_SHARED, personPhotos } from '../test/fixtures.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    against: { type: 'string' },
    save: { type: 'string' },
    engine: { type: 'string', default: 'js' },
  },
});
if (!HAVE_SHARED) {
  process.stderr.write('render-digest: the shared fixtures are absent; nothing to render\n');
  process.exit(2);
}
const engine = values.engine === 'onnx' ? 'onnx' : 'js';
const TEMPLATES: [GarmentType, string][] = [
  ['tshirt', '#2a6fb0'], ['polo', '#1e90ff'], ['longsleeve', '#884422'], ['tank', '#e0c040'],
  ['trousers', '#3b3f4a'], ['jeans', '#2d4d7a'], ['shorts', '#6a8a3a'], ['skirt', '#1f2a44'], ['dress', '#7a2e4a'],
];

const tryon = await Tryon.create({ cacheDir: null, render: { engine, threads: engine === 'js' ? 2 : 0 } });
const entries = catalog();
const tops = entries.filter((e) => e.category === 'upper');
const others = [entries.filter((e) => e.category === 'lower'), entries.filter((e) => e.category === 'dress')];
const garments = new Map<string, Promise<GarmentAnalysis>>();
function photoGarment(e: (typeof entries)[number]): Promise<GarmentAnalysis> {
  if (!garments.has(e.id)) garments.set(e.id, tryon.analyseGarment(garmentPath(e), { type: e.type as GarmentType, category: e.category, name: e.id }));
  return garments.get(e.id)!;
}

function digest(image: RawImage): string {
  return createHash('sha256').update(`${image.width}x${image.height}x${image.channels}\n`).update(image.data).digest('hex');
}

const result: Record<string, string> = {};
const images = new Map<string, RawImage>();
const persons = personPhotos();
for (const [i, file] of persons.entries()) {
  const person = await tryon.analysePerson(file);
  const other = others[i % 2]!;
  const [type, color] = TEMPLATES[i % TEMPLATES.length]!;
  const pairs: [string, Promise<GarmentAnalysis>][] = [
    [tops[i % tops.length]!.id, photoGarment(tops[i % tops.length]!)],
    [other[i % other.length]!.id, photoGarment(other[i % other.length]!)],
    [`template-${type}`, tryon.template(type, color)],
  ];
  const rendered = await Promise.all(pairs.map(async ([id, g]) => [id, await tryon.tryOn(person, await g, { layers: false })] as const));
  for (const [id, r] of rendered) {
    const name = `${path.basename(file)}__${id}`;
    result[name] = digest(r.image);
    if (values.save || values.against) images.set(name, r.image);
  }
}
await tryon.close();

if (values.out) await writeFile(values.out, `${JSON.stringify(result, null, 1)}\n`);
if (values.save) {
  await mkdir(values.save, { recursive: true });
  for (const [name, img] of images) {
    await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).png().toFile(path.join(values.save, `${name}.png`));
  }
}
if (!values.against) {
  process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
} else {
  const before = JSON.parse(await readFile(values.against, 'utf8')) as Record<string, string>;
  const saved = path.join(path.dirname(values.against), path.basename(values.against, '.json'));
  let same = 0;
  const differ: string[] = [];
  for (const [name, hash] of Object.entries(result)) {
    if (before[name] === hash) {
      same++;
      continue;
    }
    let detail = before[name] ? 'differs' : 'new pair';
    try {
      // The before images, when they were saved beside the digest (--save <digest without .json>).
      const { data } = await sharp(path.join(saved, `${name}.png`)).raw().toBuffer({ resolveWithObject: true });
      const now = images.get(name)!.data;
      let max = 0;
      let count = 0;
      for (let k = 0; k < now.length; k++) {
        const d = Math.abs(now[k]! - data[k]!);
        if (d) count++;
        if (d > max) max = d;
      }
      detail = `max ${max} level(s) on ${count} byte(s)`;
    } catch {}
    differ.push(`${name}: ${detail}`);
  }
  const missing = Object.keys(before).filter((n) => !(n in result));
  process.stdout.write(`${same} of ${Object.keys(result).length} pairs identical; ${differ.length} differ; ${missing.length} missing\n`);
  for (const d of differ) process.stdout.write(`  ${d}\n`);
  for (const m of missing) process.stdout.write(`  missing: ${m}\n`);
  if (differ.length || missing.length) process.exitCode = 1;
}
