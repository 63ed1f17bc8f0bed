/**
 * Bounded concurrency with a bounded queue. A request is admitted (or refused) once its
 * upload is complete and checked (an upload still arriving holds an upload place instead, see
 * uploads.ts, so slow clients cannot fill the queue); admitted requests then wait for one of
 * `concurrency` slots. Refused requests get 503 with a Retry-After estimated from recent job
 * times.
 */
export class AdmissionQueue {
  private admitted = 0;
  private running = 0;
  private readonly waiters: (() => void)[] = [];
  /** Exponential moving average of job time, ms; seeds the Retry-After estimate. */
  private avgJobMs = 2000;

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {}

  /**
   * Admits a request: returns its release function (call exactly once, when the request is
   * done), or null when concurrency + queue requests are already admitted.
   */
  admit(): (() => void) | null {
    if (this.full) return null;
    this.admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.admitted--;
    };
  }

  /** Runs `job` in one of the `concurrency` slots, waiting for one if needed (FIFO). */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.running++;
    const start = performance.now();
    try {
      return await job();
    } finally {
      this.avgJobMs = 0.8 * this.avgJobMs + 0.2 * (performance.now() - start);
      const next = this.waiters.shift();
      // Hand the slot straight to the next waiter, so `running` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.running--;
    }
  }

  /** Seconds a refused client should wait: the time to drain what is admitted, at least 1. */
  retryAfterSeconds(): number {
    const rounds = Math.ceil(Math.max(1, this.admitted) / this.concurrency);
    return Math.max(1, Math.ceil((rounds * this.avgJobMs) / 1000));
  }

  /** Whether a request arriving now would be refused. */
  get full(): boolean {
    return this.admitted >= this.concurrency + this.queueLimit;
  }

  /** Requests admitted but not yet computing (waiting for a slot). */
  get depth(): number {
    return Math.max(0, this.admitted - this.running);
  }

  get active(): number {
    return this.running;
  }

  get admittedCount(): number {
    return this.admitted;
  }
}
