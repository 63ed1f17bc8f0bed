/**
 * A garment photo to a garment analysis, by what the photo is: a product photo (the garment
 * on a backdrop, src/garment/analyse.ts) or a photo of someone wearing it (wornGarment). The
 * caller says which (`source`), or leaves it to the photo ('auto', see detect.ts).
 *
 *   const g = await garmentFromPhoto(bytes, { category: 'upper', name, key, source: 'auto' }, { registry, analysePerson });
 *
 * @throws TryonError BAD_OPTION (source, type, category, colour), the decoder's errors,
 *   NO_PERSON (source 'worn' and nobody in the photo), NO_GARMENT.
 */
import { TryonError } from '../../errors.ts';
import type { ModelRegistry } from '../../models/registry.ts';
import { GARMENT_PHOTO_SOURCES, type GarmentAnalysis, type GarmentPhotoSource, type PersonAnalysis } from '../../types.ts';
import { oneOf } from '../../validate.ts';
import { analyseDecoded, decodeGarment, resolveGarmentOptions, type GarmentOptions } from '../analyse.ts';
import { AMBIGUOUS_SCORE, faceInView, personScore, WORN_SCORE } from './detect.ts';
import { wornGarment } from './index.ts';

export interface GarmentPhotoOptions extends GarmentOptions {
  /** 'photo' (a product photo), 'worn' (someone wearing it) or 'auto' (decided from the photo). Default 'auto'. */
  source?: GarmentPhotoSource | string;
}

/** What reading a worn garment needs of the pipeline: the models, and its cached person analysis. */
export interface WornDeps {
  registry: ModelRegistry;
  analysePerson: (bytes: Buffer, name: string) => Promise<PersonAnalysis>;
}

/** Checks the `source` option: one of auto, photo, worn. */
export function resolveSource(source: unknown): GarmentPhotoSource {
  return source === undefined ? 'auto' : oneOf('source', typeof source === 'string' ? source.toLowerCase() : source, GARMENT_PHOTO_SOURCES);
}

export async function garmentFromPhoto(bytes: Buffer, options: GarmentPhotoOptions, deps: WornDeps): Promise<GarmentAnalysis> {
  const source = resolveSource(options.source);
  resolveGarmentOptions(options);
  const name = options.name ?? 'garment image';
  if (source === 'worn') return worn(bytes, options, deps, name);
  const decoded = await decodeGarment(bytes, options);
  if (source === 'photo') return analyseDecoded(decoded, options);
  const t0 = performance.now();
  const score = await personScore(decoded.image, deps.registry);
  const detectMs = Math.round(performance.now() - t0);
  if (score < AMBIGUOUS_SCORE) return analyseDecoded(decoded, options);
  let person: PersonAnalysis;
  try {
    person = await deps.analysePerson(bytes, name);
  } catch (err) {
    // The detector's hunch, not confirmed by the pose: a product photo after all.
    if (err instanceof TryonError && err.code === 'NO_PERSON') return analyseDecoded(decoded, options);
    throw err;
  }
  if (score < WORN_SCORE && !faceInView(person)) return analyseDecoded(decoded, options);
  const g = fromPerson(person, options, name);
  g.warnings.unshift(`read as worn by a person (detector ${score.toFixed(2)}, ${detectMs} ms); give source "photo" for a product photo`);
  return g;
}

async function worn(bytes: Buffer, options: GarmentPhotoOptions, deps: WornDeps, name: string): Promise<GarmentAnalysis> {
  let person: PersonAnalysis;
  try {
    person = await deps.analysePerson(bytes, name);
  } catch (err) {
    if (err instanceof TryonError && err.code === 'NO_PERSON') {
      throw new TryonError('NO_PERSON', `${name}: source "worn" needs a photo of someone wearing the garment, but ${err.message.replace(`${name}: `, '')}`, {
        input: name,
        cause: err,
        suggestion: 'Use source "photo" (--garment-source photo) for a product photo of the garment alone.',
      });
    }
    throw err;
  }
  return fromPerson(person, options, name);
}

function fromPerson(person: PersonAnalysis, options: GarmentPhotoOptions, name: string): GarmentAnalysis {
  const { type, category, color } = resolveGarmentOptions(options);
  return wornGarment(person, { category, type: options.type === undefined ? undefined : type, color, name, key: options.key ?? `${person.key}:worn:${category}` });
}
