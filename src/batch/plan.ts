/**
 * The work plan of a batch: every person x every garment, cut to one shard. Analyses are
 * per person and per garment (P + G), renders per pair (P x G); the runner never analyses a
 * pair. Pairs are listed person-major (persons sorted, garments in manifest order), the order
 * the runner works in so that a person's analysis can be dropped once its row is done.
 */
import path from 'node:path';
import { TryonError } from '../errors.ts';
import { OUTPUT_FORMATS, SIZES, type OutputFormat, type Size } from '../types.ts';
import { EXTENSION_OF } from '../image/format.ts';
import { integerIn, invalid, oneOf } from '../validate.ts';
import type { GarmentSpec } from './manifest.ts';
import type { PersonSpec } from './persons.ts';

export interface OutputOptions {
  /** Output image format. Default 'jpeg'. */
  format: OutputFormat;
  /** Encoder quality 1..100 (JPEG, WebP). Default 90. */
  quality: number;
  /** Size for garments whose manifest entry gives none; null lets the renderer fit. Default null. */
  size: Size | null;
  /** Write small JPEG thumbnails under `<out>/.thumbs` for index.html. Default true. */
  thumbnails: boolean;
}

export const DEFAULT_OUTPUT_OPTIONS: OutputOptions = { format: 'jpeg', quality: 90, size: null, thumbnails: true };

/** One of n deterministic parts of the pair list, numbered from 1. */
export interface Shard {
  index: number;
  count: number;
}

export interface Pair {
  /** `<person>/<garment>`: unique within the batch, stable across runs. */
  key: string;
  person: PersonSpec;
  garment: GarmentSpec;
  /** Output path relative to the output folder, with '/' separators. */
  output: string;
  size: Size | null;
}

export interface BatchPlan {
  outDir: string;
  persons: PersonSpec[];
  garments: GarmentSpec[];
  /** This shard's pairs, person-major. */
  pairs: Pair[];
  /** Pairs in the whole batch (all shards). */
  totalPairs: number;
  shard: Shard | null;
  /** Set in a worker process of `--workers`: its part of the shard's pairs. */
  worker?: Shard | null;
  options: OutputOptions;
}

/** Validates output options at the boundary; returns them with defaults filled in. */
export function resolveOutputOptions(options: Partial<OutputOptions> = {}): OutputOptions {
  const o = { ...DEFAULT_OUTPUT_OPTIONS, ...options };
  oneOf('format', o.format, OUTPUT_FORMATS);
  integerIn('quality', o.quality, 1, 100);
  if (o.size !== null) oneOf('size', o.size, SIZES);
  if (typeof o.thumbnails !== 'boolean') throw invalid('thumbnails', 'boolean', o.thumbnails);
  return o;
}

/** Parses `i/n` (1 <= i <= n), as a CI matrix or `$((JOB_COMPLETION_INDEX + 1))/n` gives it. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const hint = { suggestion: 'Shards count from 1: --shard 1/3, 2/3, 3/3 (a Kubernetes indexed job: $((JOB_COMPLETION_INDEX + 1))/N).' };
  if (!m) throw new TryonError('BAD_OPTION', `Expected i/n such as 2/4 for --shard but received ${JSON.stringify(text)}`, { input: '--shard', ...hint });
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new TryonError('BAD_OPTION', `Expected i/n with 1 <= i <= n for --shard but received ${JSON.stringify(text)}`, { input: '--shard', ...hint });
  }
  return { index, count };
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Cuts the pair list into `count` contiguous runs of the list sorted by (person, garment) name
 * and returns run `index`. Contiguous rather than every n-th pair: a shard then analyses only
 * about P / n persons instead of all of them. Sorting by name makes the split independent of
 * the manifest's order and of where the photos were found.
 */
export function shardPairs<T extends { key: string; person: { name: string }; garment: { name: string } }>(pairs: readonly T[], shard: Shard | null): T[] {
  if (!shard || shard.count === 1) return [...pairs];
  const sorted = [...pairs].sort((a, b) => byCode(a.person.name, b.person.name) || byCode(a.garment.name, b.garment.name));
  const from = Math.floor(((shard.index - 1) * sorted.length) / shard.count);
  const to = Math.floor((shard.index * sorted.length) / shard.count);
  const chosen = new Set(sorted.slice(from, to).map((p) => p.key));
  return pairs.filter((p) => chosen.has(p.key));
}

export function planBatch(input: {
  persons: PersonSpec[];
  garments: GarmentSpec[];
  outDir: string;
  options?: Partial<OutputOptions>;
  shard?: Shard | null;
  worker?: Shard | null;
}): BatchPlan {
  const options = resolveOutputOptions(input.options);
  const ext = EXTENSION_OF[options.format];
  const all: Pair[] = [];
  for (const person of input.persons) {
    for (const garment of input.garments) {
      all.push({
        key: `${person.name}/${garment.name}`,
        person,
        garment,
        output: `${person.name}/${garment.name}.${ext}`,
        size: garment.size ?? options.size,
      });
    }
  }
  const shard = input.shard ?? null;
  const worker = input.worker ?? null;
  return {
    outDir: path.resolve(input.outDir),
    persons: input.persons,
    garments: input.garments,
    pairs: shardPairs(shardPairs(all, shard), worker),
    totalPairs: all.length,
    shard,
    worker,
    options,
  };
}

/** Persons and garments that this shard's pairs need, in plan order. */
export function usedInputs(pairs: readonly Pair[]): { persons: PersonSpec[]; garments: GarmentSpec[] } {
  const persons = new Map<string, PersonSpec>();
  const garments = new Map<string, GarmentSpec>();
  for (const p of pairs) {
    persons.set(p.person.name, p.person);
    garments.set(p.garment.name, p.garment);
  }
  return { persons: [...persons.values()], garments: [...garments.values()] };
}
