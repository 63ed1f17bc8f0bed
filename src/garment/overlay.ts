/**
 * A look at a garment analysis: the garment with the backdrop dimmed, the mask outline and
 * labelled landmark dots (wearer's left in orange, right in cyan, centre in yellow), the
 * analysis's warnings under its caption, and a JSON-able summary for `tryon inspect --garment`.
 */
import sharp from 'sharp';
import type { GarmentAnalysis } from '../types.ts';
import { toHex } from './color.ts';

function colourOf(name: string): string {
  if (name.includes('left')) return '#ff8c00';
  if (name.includes('right')) return '#00c8ff';
  return '#ffe600';
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
}

/** PNG of the garment with its mask outline and labelled landmarks. */
export async function renderGarmentOverlay(a: GarmentAnalysis): Promise<Buffer> {
  const { width: W, height: H } = a;
  const m = a.mask.data;
  const src = a.image.data;
  const out = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const t = m[i] / 255;
    for (let c = 0; c < 3; c++) {
      // Backdrop dimmed toward a checker-free dark grey so the mask edge is obvious.
      out[i * 3 + c] = Math.round(src[i * 3 + c] * (0.35 + 0.65 * t) + 40 * (1 - t) * 0.5);
    }
  }
  // Mask outline: inside pixels with an outside 4-neighbour, drawn 2 px wide in magenta.
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      if (m[i] < 128) continue;
      if (m[i - 1] < 128 || m[i + 1] < 128 || m[i - W] < 128 || m[i + W] < 128) {
        for (const j of [i, i - 1, i - W]) {
          out[j * 3] = 255;
          out[j * 3 + 1] = 0;
          out[j * 3 + 2] = 200;
        }
      }
    }
  }
  const r = Math.max(4, Math.round(Math.min(W, H) / 120));
  const font = Math.max(10, Math.round(Math.min(W, H) / 60));
  const marks = Object.entries(a.landmarks)
    .map(([name, p]) => {
      if (!p) return '';
      const c = colourOf(name);
      const anchor = p.x > W * 0.6 ? 'end' : 'start';
      const dx = anchor === 'end' ? -r - 2 : r + 2;
      return (
        `<circle cx="${p.x}" cy="${p.y}" r="${r}" fill="${c}" stroke="black" stroke-width="1.5"/>` +
        `<text x="${p.x + dx}" y="${p.y - r}" font-family="sans-serif" font-size="${font}" fill="${c}" stroke="black" stroke-width="0.6" text-anchor="${anchor}">${escapeXml(name)}</text>`
      );
    })
    .join('');
  const caption = escapeXml(`${a.type} (${a.category}) sleeve ${a.sleeve}${a.cropped ? ' cropped' : ''} ${toHex(a.color)}`);
  // Warnings under the caption (an unsure mask, a hidden armpit), one line each, cut to the width.
  const chars = Math.max(20, Math.floor(W / (0.55 * font)));
  const lines = a.warnings.slice(0, 6).map((w, i) => {
    const text = w.length > chars ? `${w.slice(0, chars - 1)}…` : w;
    return `<text x="6" y="${(i + 2) * (font + 4) + 3}" font-family="sans-serif" font-size="${font}" fill="#ffb000">${escapeXml(text)}</text>`;
  });
  const band = (lines.length + 1) * (font + 4) + 6;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${marks}<rect x="0" y="0" width="${W}" height="${band}" fill="black" opacity="0.6"/><text x="6" y="${font + 3}" font-family="sans-serif" font-size="${font}" fill="white">${caption}</text>${lines.join('')}</svg>`;
  return sharp(out, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/** A JSON-able summary of a garment analysis (no pixel data). */
export function garmentSummary(a: GarmentAnalysis): object {
  let maskPixels = 0;
  for (let i = 0; i < a.mask.data.length; i++) if (a.mask.data[i] >= 128) maskPixels++;
  return {
    type: a.type,
    category: a.category,
    source: a.source,
    width: a.width,
    height: a.height,
    sleeve: a.sleeve,
    cropped: a.cropped,
    color: toHex(a.color),
    landmarks: a.landmarks,
    maskPixels,
    warnings: a.warnings,
  };
}
