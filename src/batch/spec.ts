/** What runCatalog (catalog.ts) is asked to do, what it reports, and what it plans. */
import type { TryonConfig } from '../config.ts';
import type { TryonOptions } from '../pipeline.ts';
import type { BatchEvent } from './events.ts';
import type { BatchPlan, OutputOptions, Shard } from './plan.ts';
import type { Prepared } from './prepare.ts';

export interface CatalogSpec {
  /** Person photos: files, folders or fast-glob patterns. */
  persons: string[];
  /** The catalog manifest: JSON (`{"garments": [...]}` or an array) or CSV. */
  catalog: string;
  /** Output folder: `<out>/<person>/<garment>.<ext>`, results.json, index.html. */
  out: string;
  /** Format, quality, size for garments that give none, thumbnails (see OutputOptions). */
  output?: Partial<OutputOptions>;
  /** Skip pairs whose output exists and whose inputs and options are unchanged. Default false. */
  resume?: boolean;
  /** Only part `index` of `count` of the pairs (a CI matrix, a Kubernetes indexed job). */
  shard?: Shard | null;
  /** Processes, each with its own models and share of the render threads. Default 1. */
  processes?: number;
  /** The pipeline's options (device, models, cache, concurrency, render threads). */
  pipeline?: TryonOptions;
}

/** A batch event, or a warning about the inputs (a file that is not an image, an unknown manifest field). */
export type CatalogEvent = BatchEvent | { type: 'warning'; message: string };

export interface CatalogRunOptions {
  onEvent?: (event: CatalogEvent) => void;
  /** Aborting stops new work, lets the pairs in flight finish, and writes results and index. */
  signal?: AbortSignal;
}

/** What planCatalog found: the plan, what --resume keeps, and the pipeline's settings. */
export interface CatalogPlan {
  plan: BatchPlan;
  prepared: Prepared;
  config: TryonConfig;
  /** Settings of the pipeline that change the pictures: part of every pair's digest. */
  settings: unknown;
}

/** What a child process of a batch in several is given (processes.ts, child.ts), as JSON. */
export interface ChildTask {
  spec: CatalogSpec;
  part: { index: number; count: number };
}
