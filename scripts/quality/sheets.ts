/**
 * Contact sheets of a quality run: person | garment | result per pair, three pairs a row, four
 * rows a sheet, with the pair's numbers under the result; and per metric one sheet of the 20
 * worst pairs, so one look finds the failures.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { RawImage } from '../../src/types.ts';
import type { Explanation, PairMetrics } from './metrics.ts';
import type { PairRecord } from './pairs.ts';

const TILE_W = 180;
const TILE_H = 240;
const LABEL_H = 28;

/** One pair's three tiles, PNG, kept small so a run of hundreds stays in memory. */
export interface PairTiles {
  record: PairRecord;
  tiles: Buffer[];
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function label(lines: string[], w: number): Buffer {
  const text = lines.map((l, i) => `<text x="3" y="${11 + 13 * i}" font-size="11" fill="white" font-family="sans-serif">${escape(l)}</text>`).join('');
  return Buffer.from(`<svg width="${w}" height="${LABEL_H}"><rect width="${w}" height="${LABEL_H}" fill="black"/>${text}</svg>`);
}

async function tile(img: RawImage | null, lines: string[]): Promise<Buffer> {
  const base = img
    ? sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: img.channels } }).resize(TILE_W, TILE_H, { fit: 'contain', background: '#000' })
    : sharp({ create: { width: TILE_W, height: TILE_H, channels: 3, background: '#400' } });
  const body = await base.png().toBuffer();
  return sharp({ create: { width: TILE_W, height: TILE_H + LABEL_H, channels: 3, background: '#000' } })
    .composite([{ input: body, top: 0, left: 0 }, { input: label(lines, TILE_W), top: TILE_H, left: 0 }])
    .png()
    .toBuffer();
}

const n2 = (v: number | null): string => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(2));
const n0 = (v: number | null): string => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(0));

/** The numbers under a result tile, two short lines. */
export function metricLines(m: PairMetrics): string[] {
  return [
    `spill ${n2(m.spill)} rem ${n2(m.remnants)} axis ${n0(m.sleeveAxis)}`,
    `skin ${n2(m.synthSkin)} tex ${n2(m.textureRatio)} seam ${n2(m.seamStep)}`,
  ];
}

export async function pairTiles(record: PairRecord, person: RawImage, garment: RawImage, result: RawImage | null, personTile?: Buffer): Promise<PairTiles> {
  const tiles = [
    personTile ?? (await tile(person, [record.person, ''])),
    await tile(garment, [record.garment, record.category]),
    await tile(result, record.error ? ['error', record.error.slice(0, 28)] : metricLines(record.metrics)),
  ];
  return { record, tiles };
}

/** The person's tile, shared by all its pairs. */
export function personTile(person: RawImage, name: string): Promise<Buffer> {
  return tile(person, [name, '']);
}

/** A grid of pairs (three tiles each), `perRow` pairs a row. */
async function grid(pairs: PairTiles[], perRow: number, title: string): Promise<Buffer> {
  const rows = Math.ceil(pairs.length / perRow);
  const w = perRow * 3 * TILE_W + (perRow - 1) * 8;
  const titleH = 18;
  const h = titleH + rows * (TILE_H + LABEL_H + 4);
  const layers: OverlayOptions[] = [{ input: Buffer.from(`<svg width="${w}" height="${titleH}"><text x="4" y="13" font-size="13" fill="white" font-family="sans-serif">${escape(title)}</text></svg>`), top: 0, left: 0 }];
  pairs.forEach((p, i) => {
    const top = titleH + Math.floor(i / perRow) * (TILE_H + LABEL_H + 4);
    const left0 = (i % perRow) * (3 * TILE_W + 8);
    p.tiles.forEach((t, k) => layers.push({ input: t, top, left: left0 + k * TILE_W }));
  });
  return sharp({ create: { width: w, height: h, channels: 3, background: '#222' } }).composite(layers).png().toBuffer();
}

/** Contact sheets: three pairs a row, four rows a sheet, in run order. */
export async function contactSheets(pairs: PairTiles[]): Promise<Buffer[]> {
  const perSheet = 12;
  const out: Buffer[] = [];
  for (let i = 0; i < pairs.length; i += perSheet) {
    const some = pairs.slice(i, i + perSheet);
    out.push(await grid(some, 3, `pairs ${i + 1}-${i + some.length} of ${pairs.length}`));
  }
  return out;
}

/** Which way is worse for each metric. */
const WORSE: Record<keyof PairMetrics, (m: PairMetrics) => number | null> = {
  spill: (m) => m.spill,
  synthSkin: (m) => m.synthSkin,
  textureRatio: (m) => (m.textureRatio === null || m.synthSkin <= 1 ? null : Math.abs(Math.log(m.textureRatio))),
  seamStep: (m) => (m.synthSkin > 1 ? m.seamStep : null),
  remnants: (m) => m.remnants,
  sleeveAxis: (m) => m.sleeveAxis,
  ssimOutside: (m) => (Number.isFinite(m.ssimOutside) ? 1 - m.ssimOutside : null),
  deltaE: (m) => m.deltaE,
};

/** Per metric, a sheet of the 20 worst pairs (four pairs a row). */
export async function worstSheets(pairs: PairTiles[]): Promise<{ metric: string; png: Buffer }[]> {
  const out: { metric: string; png: Buffer }[] = [];
  for (const [metric, badness] of Object.entries(WORSE)) {
    const ranked = pairs
      .map((p) => ({ p, v: p.record.error ? null : badness(p.record.metrics) }))
      .filter((x): x is { p: PairTiles; v: number } => x.v !== null && Number.isFinite(x.v))
      .sort((a, b) => b.v - a.v)
      .slice(0, 20);
    if (ranked.length === 0) continue;
    out.push({ metric, png: await grid(ranked.map((x) => x.p), 4, `worst ${ranked.length} by ${metric}`) });
  }
  return out;
}

/** Colours of the explanation overlay: what each area metric counted. */
export const EXPLAIN_COLOURS: Record<keyof Explanation, [number, number, number]> = {
  real: [40, 90, 255],
  synth: [0, 220, 0],
  remnants: [255, 0, 255],
  spill: [255, 40, 0],
};

/**
 * The result with what each area metric counted painted over it (real skin blue, synthesised
 * skin green, remnants magenta, spill red), beside the plain result: full size, PNG.
 */
export async function explainOverlay(result: RawImage, explain: Explanation): Promise<Buffer> {
  const { width, height, channels } = result;
  const out = Buffer.alloc(width * 2 * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const src = i * channels;
      let rgb = [result.data[src], result.data[src + 1], result.data[src + 2]];
      const plain = ((y * 2 * width) + width + x) * 3;
      out[plain] = rgb[0];
      out[plain + 1] = rgb[1];
      out[plain + 2] = rgb[2];
      for (const key of Object.keys(EXPLAIN_COLOURS) as (keyof Explanation)[]) {
        if (explain[key]?.[i]) rgb = rgb.map((v, c) => Math.round(0.35 * v + 0.65 * EXPLAIN_COLOURS[key][c]));
      }
      const o = (y * 2 * width + x) * 3;
      out[o] = rgb[0];
      out[o + 1] = rgb[1];
      out[o + 2] = rgb[2];
    }
  }
  return sharp(out, { raw: { width: 2 * width, height, channels: 3 } }).png().toBuffer();
}
