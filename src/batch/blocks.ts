/**
 * Memory budgets of a batch: analyses are kept in blocks whose pixel planes fit a number of
 * bytes, so memory follows the budgets and not the size of the catalog.
 */
import type { ErrorCode } from '../errors.ts';

/** An analysis' outcome: its value, or why it failed; how long it took either way. */
export interface Outcome<T> {
  value?: T;
  error?: { code: ErrorCode; message: string };
  ms: number;
}

import { analysisBytes } from '../analysis-cache.ts';

export { analysisBytes };

/**
 * Analyses specs from `start` on, `width` at a time, until their results reach `budget` bytes
 * (at least one is taken). Returns the outcomes and where the next block starts.
 */
export async function fillBlock<S, A extends object>(
  specs: readonly S[],
  start: number,
  analyse: (spec: S) => Promise<Outcome<A>>,
  budget: number,
  width: number,
  aborted: () => boolean,
): Promise<{ outcomes: Map<S, Outcome<A>>; next: number }> {
  const outcomes = new Map<S, Outcome<A>>();
  let next = start;
  let bytes = 0;
  let measured = 0;
  let inflight = 0;
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      // Expect those in flight to be as big as the average so far.
      const expected = (): number => bytes + inflight * (measured ? bytes / measured : 0);
      while (inflight < width && next < specs.length && !aborted() && (next === start || expected() < budget)) {
        const spec = specs[next++];
        inflight++;
        void analyse(spec).then((o) => {
          outcomes.set(spec, o);
          if (o.value) {
            bytes += analysisBytes(o.value);
            measured++;
          }
          inflight--;
          launch();
        });
      }
      if (inflight === 0) resolve();
    };
    launch();
  });
  return { outcomes, next };
}
