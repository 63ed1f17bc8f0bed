/**
 * `tryon inspect`: what the analysis saw in one photo, as an overlay image and/or JSON.
 *
 *   tryon inspect me.jpg -o me-overlay.png            # skeleton + parsing colours over the photo
 *   tryon inspect me.jpg --json                       # keypoints, box, OpenPose-18, label areas
 *   tryon inspect --garment tee.jpg --type tshirt -o tee-overlay.png --json
 *   tryon inspect me.jpg --bare upper -o bare.png     # the photo with the old top taken off
 *
 * Parses and checks the options, calls the library through the Tryon facade, writes/prints.
 */
import type { Command } from 'commander';
import { LANDMARK_MODELS, type LandmarkModel } from '../config.ts';
import { TryonError } from '../errors.ts';
import { resolveFormat } from '../image/format.ts';
import { writeFileAtomic } from '../image/write.ts';
import type { TryonOptions } from '../pipeline.ts';
import { GARMENT_CATEGORIES, GARMENT_TYPES, type GarmentCategory, type GarmentPhotoSource } from '../types.ts';
import { invalid, oneOf } from '../validate.ts';
import { garmentSource, pipelineOptions, shared, type SharedFlags } from './options.ts';
import { colours } from './output.ts';

interface InspectCliOptions extends SharedFlags {
  output?: string;
  json?: boolean;
  garment?: boolean;
  type?: string;
  category?: string;
  bare?: string;
  model: string;
  garmentSource?: string;
}

export interface InspectOptions {
  photo: string;
  /** Overlay file (.png, .jpg, .webp), or null for JSON only. */
  output: string | null;
  json: boolean;
  garment: boolean;
  type?: string;
  category?: string;
  /** Write the bare body of this category (the photo with its old garment taken off) instead of the overlay. */
  bare?: GarmentCategory;
  /** What the garment photo shows (worn, photo, auto). */
  source: GarmentPhotoSource;
  landmarkModel: LandmarkModel;
  /** Device, models folder, analysis cache. */
  pipeline: TryonOptions;
}

/** Checks the command line; every refusal is a BAD_OPTION naming the option. */
export function parseInspectOptions(photo: string | undefined, o: InspectCliOptions): InspectOptions {
  if (!photo) throw invalid('<photo>', 'path of a photo', photo);
  if (!o.output && !o.json) {
    throw new TryonError('BAD_OPTION', 'Nothing to do: give -o <overlay.png> and/or --json', { input: '--output', suggestion: 'tryon inspect photo.jpg -o overlay.png --json' });
  }
  if (o.bare !== undefined && o.garment) throw new TryonError('BAD_OPTION', '--bare takes the old garment off a person photo: not with --garment', { input: '--bare' });
  if (o.bare !== undefined && !o.output) throw new TryonError('BAD_OPTION', '--bare writes an image: give -o <bare.png>', { input: '--output', suggestion: 'tryon inspect photo.jpg --bare upper -o bare.png' });
  if (!o.garment && (o.type !== undefined || o.category !== undefined || o.garmentSource !== undefined)) {
    const input = o.type !== undefined ? '--type' : o.category !== undefined ? '--category' : '--garment-source';
    throw new TryonError('BAD_OPTION', '--type, --category and --garment-source describe a garment photo: add --garment', { input });
  }
  if (o.output) resolveFormat(o.output);
  if (o.type !== undefined) oneOf('--type', o.type.toLowerCase(), Object.keys(GARMENT_TYPES));
  if (o.category !== undefined) oneOf('--category', o.category.toLowerCase(), GARMENT_CATEGORIES);
  return {
    photo,
    output: o.output ?? null,
    json: o.json === true,
    garment: o.garment === true,
    type: o.type?.toLowerCase(),
    category: o.category?.toLowerCase(),
    bare: o.bare === undefined ? undefined : oneOf('--bare', o.bare.toLowerCase(), GARMENT_CATEGORIES),
    source: garmentSource(o.garmentSource),
    landmarkModel: oneOf('--model', o.model, LANDMARK_MODELS),
    pipeline: pipelineOptions(o),
  };
}

/** Analyses the photo and writes the overlay; returns the JSON summary. */
export async function inspectPhoto(opts: InspectOptions): Promise<object> {
  // Loaded here, not at start: `tryon --version` and `--help` need none of them.
  const [{ Tryon }, { default: sharp }, { garmentSummary, renderGarmentOverlay }, { personSummary, renderPersonOverlay }, { bareImage }] = await Promise.all([
    import('../pipeline.ts'),
    import('sharp'),
    import('../garment/overlay.ts'),
    import('../person/overlay.ts'),
    import('../bare/index.ts'),
  ]);
  const tryon = await Tryon.create({ ...opts.pipeline, person: { landmarkModel: opts.landmarkModel } });
  try {
    let overlay: Buffer;
    let summary: object;
    if (opts.garment) {
      const a = await tryon.analyseGarment(opts.photo, { name: opts.photo, type: opts.type, category: opts.category ?? (opts.type ? undefined : 'upper'), source: opts.source });
      summary = garmentSummary(a);
      overlay = opts.output ? await renderGarmentOverlay(a) : Buffer.alloc(0);
    } else {
      const a = await tryon.analysePerson(opts.photo, opts.photo);
      summary = personSummary(a);
      if (opts.bare) {
        const bare = await tryon.bareBody(a, opts.bare);
        summary = { ...summary, bare: { category: bare.category, box: bare.box, changed: bare.changed, warnings: bare.warnings } };
        overlay = await sharp(Buffer.from(bareImage(a, bare).data), { raw: { width: a.width, height: a.height, channels: 3 } }).png().toBuffer();
      } else overlay = opts.output ? await renderPersonOverlay(a) : Buffer.alloc(0);
    }
    if (opts.output) {
      const format = resolveFormat(opts.output);
      const bytes = format === 'png' ? overlay : await sharp(overlay).toFormat(format, { quality: 90 }).toBuffer();
      await writeFileAtomic(opts.output, bytes);
    }
    return summary;
  } finally {
    await tryon.close();
  }
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Show what the analysis sees in a person photo (or, with --garment, a garment photo)')
    .argument('[photo]', 'the photo to analyse')
    .option('-o, --output <file>', 'overlay image (.png, .jpg, .webp): skeleton and parsing over the photo')
    .option('--json', 'print the analysis summary as JSON on stdout')
    .option('--garment', 'the photo is a garment photo (the garment alone, or someone wearing it), not a person to dress')
    .addOption(shared.garmentSource())
    .option('--type <type>', `garment type (with --garment): ${Object.keys(GARMENT_TYPES).join(', ')}`)
    .option('--category <category>', `garment category (with --garment): ${GARMENT_CATEGORIES.join(', ')}`)
    .option('--bare <category>', `write the bare body instead of the overlay: the photo with its old garment of this category taken off (${GARMENT_CATEGORIES.join(', ')})`)
    .option('--model <model>', `pose landmark model: ${LANDMARK_MODELS.join(', ')}`, 'full')
    .addOption(shared.device())
    .addOption(shared.modelsDir())
    .addOption(shared.cacheDir())
    .addOption(shared.noCache())
    .action(async (photo: string | undefined, o: InspectCliOptions) => {
      const opts = parseInspectOptions(photo, o);
      const summary = await inspectPhoto(opts);
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      if (opts.output) {
        const c = colours(opts.json ? process.stderr : process.stdout);
        (opts.json ? process.stderr : process.stdout).write(`${c.green('wrote')} ${opts.output}\n`);
      }
    });
}
