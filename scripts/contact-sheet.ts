/**
 * The contact sheet of the fit and render: every person photo in ../shared/fixtures/persons
 * (rows) in six catalog garments picked by catalog.json (two tees, a long sleeve, a sleeveless
 * top, trousers, a dress) and two built-in templates (columns), with each pair's quality
 * numbers: SSIM outside the garment and exposed skin (the photo must be untouched there) and
 * the CIEDE2000 of the garment area's mean colour against the warped garment's.
 *
 *   npx tsx scripts/contact-sheet.ts [--out /tmp/sheet] [--persons 8] [--only a.jpg,b.png] [--size M] [--tile 192]
 *
 * Writes sheet-NN.png (four persons a piece, for looking at), metrics.json, and prints a table.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Tryon } from '../src/pipeline.ts';
import type { GarmentAnalysis, RawImage, Size } from '../src/types.ts';
import { catalog, garmentPath, personPhotos, type CatalogEntry } from '../test/fixtures.ts';
import { renderQuality } from '../test/helpers/metrics.ts';

/** The sheet's garments: chosen from the catalog by type and description, so it stays stable. */
export function sheetGarments(entries: CatalogEntry[]): CatalogEntry[] {
  const pick = (ok: (e: CatalogEntry) => boolean, n = 1): CatalogEntry[] => entries.filter(ok).slice(0, n);
  return [
    ...pick((e) => e.type === 'tshirt', 2),
    ...pick((e) => e.category === 'upper' && /long-sleeve/.test(e.description ?? '')),
    ...pick((e) => e.category === 'upper' && /sleeveless/.test(e.description ?? '')),
    ...pick((e) => e.category === 'lower' && e.type === 'trousers'),
    ...pick((e) => e.category === 'dress'),
  ];
}

export const SHEET_TEMPLATES = [
  { type: 'tshirt', color: '#2a6fb0' },
  { type: 'dress', color: '#8e3b5f' },
] as const;

async function tile(img: RawImage, w: number, h: number): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: img.channels } })
    .resize(w, h, { fit: 'contain', background: '#000' })
    .png()
    .toBuffer();
}

function label(text: string, w: number): Buffer {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return Buffer.from(`<svg width="${w}" height="14"><rect width="${w}" height="14" fill="black" opacity="0.6"/><text x="3" y="11" font-size="11" fill="white" font-family="sans-serif">${esc}</text></svg>`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/tryon-sheet' },
      persons: { type: 'string' },
      only: { type: 'string' },
      size: { type: 'string', default: 'M' },
      tile: { type: 'string', default: '192' },
    },
  });
  const out = values.out!;
  const tw = Number(values.tile);
  const th = Math.round((tw * 4) / 3);
  const only = values.only ? new Set(values.only.split(',')) : null;
  const persons = personPhotos()
    .filter((p) => !only || only.has(path.basename(p)))
    .slice(0, values.persons ? Number(values.persons) : undefined);
  if (persons.length === 0) throw new Error('no person photos: is ../shared/fixtures there?');
  const entries = sheetGarments(catalog());
  const tryon = await Tryon.create({ concurrency: 1 });
  const garments: { name: string; g: GarmentAnalysis }[] = [];
  for (const e of entries) garments.push({ name: `${e.id} ${e.type}`, g: await tryon.analyseGarment(garmentPath(e), { type: e.type, category: e.category, name: e.id }) });
  for (const t of SHEET_TEMPLATES) garments.push({ name: `template ${t.type}`, g: await tryon.template(t.type, t.color) });
  await mkdir(out, { recursive: true });

  const cols = garments.length + 1;
  const metrics: { person: string; garment: string; ssimOutside: number; deltaE: number | null; ms: number }[] = [];
  const rows: Buffer[][] = [];
  for (const file of persons) {
    const name = path.basename(file);
    const person = await tryon.analysePerson(file);
    const row: Buffer[] = [await tile(person.image, tw, th)];
    for (const { name: gName, g } of garments) {
      const t0 = performance.now();
      const r = await tryon.tryOn(person, g, { size: values.size as Size });
      const ms = performance.now() - t0;
      const q = renderQuality(person.image, r);
      metrics.push({ person: name, garment: gName, ...q, ms: Math.round(ms) });
      const img = await sharp(await tile(r.image, tw, th))
        .composite([{ input: label(`ssim ${q.ssimOutside.toFixed(3)} dE ${q.deltaE === null ? '-' : q.deltaE.toFixed(1)}`, tw), left: 0, top: th - 14 }])
        .png()
        .toBuffer();
      row.push(img);
    }
    row[0] = await sharp(row[0]).composite([{ input: label(name, tw), left: 0, top: 0 }]).png().toBuffer();
    rows.push(row);
    process.stdout.write(`${name} done\n`);
  }
  await tryon.close();

  const header = await sharp({ create: { width: tw * cols, height: 16, channels: 3, background: '#222' } })
    .composite([{ input: label('person', tw), left: 0, top: 1 }, ...garments.map((g, i) => ({ input: label(g.name, tw), left: (i + 1) * tw, top: 1 }))])
    .png()
    .toBuffer();
  const per = 4;
  for (let p = 0; p * per < rows.length; p++) {
    const chunk = rows.slice(p * per, (p + 1) * per);
    const composites = [{ input: header, left: 0, top: 0 }, ...chunk.flatMap((row, r) => row.map((b, c) => ({ input: b, left: c * tw, top: 16 + r * th })))];
    await sharp({ create: { width: tw * cols, height: 16 + chunk.length * th, channels: 3, background: '#000' } })
      .composite(composites)
      .png()
      .toFile(path.join(out, `sheet-${String(p + 1).padStart(2, '0')}.png`));
  }
  await writeFile(path.join(out, 'metrics.json'), JSON.stringify(metrics, null, 1));
  const worstSsim = metrics.reduce((m, x) => Math.min(m, x.ssimOutside), 1);
  const de = metrics.map((m) => m.deltaE).filter((v): v is number => v !== null);
  process.stdout.write(
    `${metrics.length} pairs; SSIM outside: min ${worstSsim.toFixed(4)}; dE2000 inside: max ${Math.max(...de).toFixed(2)}, mean ${(de.reduce((a, b) => a + b, 0) / de.length).toFixed(2)}; ` +
      `render ms: median ${metrics.map((m) => m.ms).sort((a, b) => a - b)[Math.floor(metrics.length / 2)]}\n` +
      `sheets in ${out}\n`,
  );
}

await main();
