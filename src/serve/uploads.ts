/**
 * Uploads being received. An upload arrives at the client's pace, which may be 1 byte a
 * second, so it must not hold a compute slot or a queue place while it arrives (six slow
 * clients would otherwise lock everyone out): the queue admits a request only once its body
 * is complete. What an upload holds instead is a place here, bounded in total and per client
 * (IP address), and only for as long as the server's upload timeout lets it take.
 */
import { HttpError } from './http.ts';

export class UploadGate {
  private total = 0;
  private readonly perClient = new Map<string, number>();

  constructor(
    /** Uploads received at once over all clients. */
    readonly limit: number,
    /** Uploads one client may be sending at once. */
    readonly clientLimit: number,
    /** Seconds a refused client is told to wait (Retry-After). */
    private readonly retryAfterSeconds: number,
  ) {}

  /**
   * Takes a place for an upload from `client`; returns its release function (idempotent).
   * Throws HttpError 429 when the client already sends `clientLimit` uploads, 503 when the
   * server receives `limit` uploads.
   */
  begin(client: string): () => void {
    const mine = this.perClient.get(client) ?? 0;
    const retryAfter = { 'retry-after': String(this.retryAfterSeconds) };
    if (mine >= this.clientLimit) {
      throw new HttpError(429, 'TOO_MANY_UPLOADS', `Too many uploads at once from this client (limit ${this.clientLimit}); finish one first`, retryAfter);
    }
    if (this.total >= this.limit) {
      throw new HttpError(503, 'QUEUE_FULL', `Server busy: ${this.total} uploads in progress; retry later`, retryAfter);
    }
    this.total++;
    this.perClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    };
  }

  /** Uploads being received now. */
  get active(): number {
    return this.total;
  }
}
