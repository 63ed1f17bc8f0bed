/**
 * What a batch reports while it runs (`onEvent`) and what it returns. The runner knows nothing
 * of terminals: the CLI draws progress from these, prints them as JSON lines or stays quiet.
 */
import type { ErrorCode } from '../errors.ts';
import type { BatchPlan } from './plan.ts';
import type { StageTimes } from './results.ts';

export type BatchEvent =
  | {
      type: 'start';
      out: string;
      shard: BatchPlan['shard'];
      /** Pairs in the whole batch, in this shard, skipped by --resume, to render now. */
      total: number;
      pairs: number;
      skipped: number;
      toRender: number;
      persons: number;
      garments: number;
      concurrency: number;
    }
  | { type: 'pair-done'; person: string; garment: string; output: string; ms: StageTimes; finished: number; toRender: number }
  | { type: 'pair-failed'; person: string; garment: string; output: string; error: { code: ErrorCode; message: string; stage: string }; finished: number; toRender: number }
  | ({ type: 'summary' } & BatchSummary);

export interface BatchSummary {
  out: string;
  results: string;
  index: string;
  /** Pairs of this shard. */
  pairs: number;
  done: number;
  failed: number;
  /** Not run because the batch was interrupted. */
  pending: number;
  /** Kept from an earlier run by --resume (counted in done). */
  resumed: number;
  /** Rendered by this run. */
  rendered: number;
  interrupted: boolean;
  elapsedMs: number;
  /** Rendered pairs per second of this run (analyses included). */
  pairsPerSecond: number;
  /** 0 all pairs done, 1 some failed, 130 interrupted. */
  exitCode: 0 | 1 | 130;
  /** Times the pipeline was renewed to give memory back (see RunOptions.renew). */
  renewals?: number;
}
