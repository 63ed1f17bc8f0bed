/**
 * `tryon run`: one person photo in one garment (a photo, or a built-in template by type),
 * written atomically to -o. Parses and checks the options, calls the library, prints one line.
 *
 *   tryon run --person me.jpg -o out.jpg                       # built-in tee, default colour
 *   tryon run --person me.jpg --garment tee.jpg -o out.png --size L
 *   tryon run --person me.jpg --type dress --color '#c03' -o out.webp --debug dbg/
 *   tryon run --person me.jpg --garment her.jpg --category dress -o out.jpg   # a photo of someone in the dress
 *
 * Bad options exit with code 2 naming the option and the accepted values.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { TryonError } from '../errors.ts';
import { resolveFormat } from '../image/format.ts';
import { writeFileAtomic } from '../image/write.ts';
import type { TryonOptions } from '../pipeline.ts';
import { GARMENT_CATEGORIES, GARMENT_TYPES, SIZES, type GarmentAnalysis, type GarmentPhotoSource, type GarmentType, type Mask, type PersonAnalysis, type RawImage, type Size, type TryOnResult } from '../types.ts';
import { invalid, oneOf, parseHexColor, parseInteger } from '../validate.ts';
import { garmentSource, pipelineOptions, shared, type SharedFlags } from './options.ts';
import { colours, printWarning } from './output.ts';

/** The garment when none is named: the README's one-command demo. */
export const DEFAULT_TYPE: GarmentType = 'tshirt';
export const DEFAULT_COLOR = '#2a6fb0';

interface RunCliOptions extends SharedFlags {
  person?: string;
  garment?: string;
  category?: string;
  type?: string;
  color?: string;
  size: string;
  output?: string;
  format?: string;
  quality: string;
  debug?: string;
  garmentSource?: string;
}

export interface RunOptions {
  person: string;
  garment: string | null;
  category?: string;
  type?: GarmentType;
  color?: string;
  /** What the garment photo shows (worn, photo, auto). */
  source: GarmentPhotoSource;
  size: Size;
  output: string;
  format: ReturnType<typeof resolveFormat>;
  quality: number;
  debug: string | null;
  /** Device, models folder, analysis cache (render threads: none, the one pair renders on this thread). */
  pipeline: TryonOptions;
}

/** Checks the command line; every refusal is a BAD_OPTION naming the option. */
export function parseRunOptions(o: RunCliOptions): RunOptions {
  if (!o.person) throw invalid('--person', 'path of a person photo', o.person);
  if (!o.output) throw invalid('--output', 'output file path (.jpg, .png or .webp)', o.output);
  const types = Object.keys(GARMENT_TYPES) as GarmentType[];
  const type = o.type === undefined ? undefined : oneOf('--type', o.type.toLowerCase(), types);
  const category = o.category === undefined ? undefined : oneOf('--category', o.category.toLowerCase(), GARMENT_CATEGORIES);
  if (category && !o.garment) {
    throw new TryonError('BAD_OPTION', '--category needs --garment (a template is chosen by --type)', { input: '--category' });
  }
  if (category && type && GARMENT_TYPES[type] !== category) {
    throw invalid('--type', `a ${category} type (${types.filter((t) => GARMENT_TYPES[t] === category).join(', ')})`, o.type);
  }
  if (o.garmentSource !== undefined && !o.garment) {
    throw new TryonError('BAD_OPTION', '--garment-source describes a garment photo: add --garment', { input: '--garment-source' });
  }
  const source = garmentSource(o.garmentSource);
  if (o.color !== undefined) parseHexColor('--color', o.color);
  const size = oneOf('--size', o.size.toUpperCase(), SIZES);
  const quality = parseInteger('--quality', o.quality, 1, 100);
  const pipeline = pipelineOptions(o);
  return {
    person: o.person,
    garment: o.garment ?? null,
    category,
    type,
    color: o.color,
    source,
    size,
    output: o.output,
    format: resolveFormat(o.output, o.format),
    quality,
    debug: o.debug ?? null,
    pipeline,
  };
}

async function png(img: RawImage | Mask, file: string): Promise<void> {
  const channels = 'channels' in img ? img.channels : 1;
  const { default: sharp } = await import('sharp');
  const buf = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels } }).png().toBuffer();
  await writeFileAtomic(file, buf);
}

/** --debug: parsing (colour-coded), garment mask, warped garment, exposed skin, as PNGs. */
export async function writeDebug(dir: string, person: PersonAnalysis, garment: GarmentAnalysis, result: TryOnResult): Promise<string[]> {
  const files = {
    parsing: path.join(dir, 'parsing.png'),
    garmentMask: path.join(dir, 'garment-mask.png'),
    sourceMask: path.join(dir, 'garment-source-mask.png'),
    warped: path.join(dir, 'warped-garment.png'),
    exposed: path.join(dir, 'exposed-skin.png'),
  };
  const layers = result.layers;
  if (!layers) throw new TryonError('INTERNAL', 'writeDebug needs a try-on result with its layers (options.layers must not be false)');
  const { parsingImage } = await import('../person/overlay.ts');
  await png(parsingImage(person), files.parsing);
  await png(layers.garmentMask, files.garmentMask);
  await png(garment.mask, files.sourceMask);
  await png(layers.warpedGarment, files.warped);
  await png(layers.exposedSkin, files.exposed);
  return Object.values(files);
}

/** Runs one try-on as the CLI does; returns what it wrote. */
export async function runTryon(opts: RunOptions): Promise<{ output: string; debug: string[]; warnings: string[]; timings: Record<string, number> }> {
  // The pipeline and the image library are loaded here, not at start: `tryon --version` and
  // `--help` need neither.
  const [{ Tryon }, { encodeImage }] = await Promise.all([import('../pipeline.ts'), import('../image/encode.ts')]);
  // One pair: rendered on this thread (starting a render worker would cost more than it saves).
  const tryon = await Tryon.create({ ...opts.pipeline, render: { threads: 0 } });
  try {
    const person = await tryon.analysePerson(opts.person, opts.person);
    const garment = opts.garment
      ? await tryon.analyseGarment(opts.garment, { name: opts.garment, type: opts.type, category: opts.category ?? (opts.type ? undefined : 'upper'), color: opts.color, source: opts.source })
      : await tryon.template(opts.type ?? DEFAULT_TYPE, opts.color ?? DEFAULT_COLOR);
    const result = await tryon.tryOn(person, garment, { size: opts.size, layers: Boolean(opts.debug) });
    const bytes = await encodeImage(result.image, opts.format, opts.quality);
    await writeFileAtomic(opts.output, bytes);
    const debug = opts.debug ? await writeDebug(opts.debug, person, garment, result) : [];
    return { output: opts.output, debug, warnings: result.warnings ?? [], timings: { ...person.timings, ...result.timings } };
  } finally {
    await tryon.close();
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Put one garment on one person photo (with no garment: the built-in tee)')
    .option('--person <photo>', 'person photo (JPEG, PNG, WebP, ...)')
    .option('--garment <photo>', 'garment photo (the garment alone, or someone wearing it); without it a built-in template is used')
    .addOption(shared.garmentSource())
    .option('--category <category>', `garment category of --garment: ${GARMENT_CATEGORIES.join(', ')}`)
    .option('--type <type>', `garment type: ${Object.keys(GARMENT_TYPES).join(', ')} (alone: the built-in template of that type)`)
    .option('--color <hex>', `recolour the garment, e.g. #1e90ff (template default ${DEFAULT_COLOR})`)
    .option('--size <size>', `garment size: ${SIZES.join(', ')}`, 'M')
    .option('-o, --output <file>', 'result image (.jpg, .png, .webp)')
    .option('--format <format>', 'jpeg, png or webp (default: from the output extension)')
    .option('--quality <n>', 'JPEG/WebP quality 1-100', '90')
    .addOption(shared.device())
    .addOption(shared.modelsDir())
    .option('--debug <dir>', 'also write the parsing, garment mask, warped garment and exposed-skin mask as PNGs')
    .addOption(shared.cacheDir())
    .addOption(shared.noCache())
    .action(async (o: RunCliOptions) => {
      const opts = parseRunOptions(o);
      const started = performance.now();
      const done = await runTryon(opts);
      const c = colours(process.stdout);
      const ms = Math.round(performance.now() - started);
      process.stdout.write(`${c.green('wrote')} ${done.output} ${c.dim(`(${opts.format}, size ${opts.size}, ${ms} ms)`)}\n`);
      for (const f of done.debug) process.stdout.write(`  ${c.dim('debug')} ${f}\n`);
      done.warnings.forEach(printWarning);
    });
}
