/**
 * Renders the built-in garment templates into fixtures/templates/ (PNG with the garment mask as
 * alpha), so the README and users can see what `--type` without a garment photo gives.
 *   npx tsx scripts/render-templates.ts [--color '#2a6fb0'] [--width 384]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { PACKAGE_ROOT } from '../src/config.ts';
import { renderTemplate } from '../src/garment/templates.ts';
import { writeFileAtomic } from '../src/image/write.ts';

const { values } = parseArgs({ options: { color: { type: 'string', default: '#2a6fb0' }, width: { type: 'string', default: '384' } } });
const width = Number(values.width);
const types = ['tshirt', 'polo', 'longsleeve', 'tank', 'dress', 'trousers', 'jeans', 'shorts', 'skirt'];

for (const type of types) {
  const g = await renderTemplate(type, values.color!);
  const rgba = Buffer.alloc(g.width * g.height * 4);
  for (let i = 0; i < g.width * g.height; i++) {
    rgba[i * 4] = g.image.data[i * 3];
    rgba[i * 4 + 1] = g.image.data[i * 3 + 1];
    rgba[i * 4 + 2] = g.image.data[i * 3 + 2];
    rgba[i * 4 + 3] = g.mask.data[i];
  }
  const png = await sharp(rgba, { raw: { width: g.width, height: g.height, channels: 4 } })
    .resize(width)
    .png({ compressionLevel: 9, palette: true })
    .toBuffer();
  const file = path.join(PACKAGE_ROOT, 'fixtures', 'templates', `${type}.png`);
  await writeFileAtomic(file, png);
  console.log(`${file} (${(png.length / 1024).toFixed(0)} KB)`);
}
