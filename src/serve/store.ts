/**
 * Where results wait to be fetched. Kept in memory rather than in a temp folder because:
 * - GET /api/results/ then maps a name to a Map entry, never to a path, so no request can
 *   reach the file system whatever it encodes (traversal is impossible by construction);
 * - nothing derived from a user's photo ever touches the disk, and nothing is left behind
 *   after a crash;
 * - results are small JPEGs (~100-300 KB) that live an hour, and the store is bounded by
 *   count and bytes (oldest dropped first), so memory stays flat under any load.
 * The cost: results do not survive a restart and are not shared between processes.
 *
 * Names are 128 random bits (crypto), so a result URL is a capability that cannot be guessed.
 * An identical request (same digest) within the TTL is answered with the same result.
 */
import { randomBytes } from 'node:crypto';

export interface StoredResult {
  name: string;
  data: Buffer;
  contentType: string;
  /** Date.now() when it expires. */
  expires: number;
  digest: string | null;
  /** What the try-on warned about (a seated person, a garment photo the analysis was unsure of). */
  warnings: string[];
}

export interface ResultStoreOptions {
  ttlMs: number;
  maxCount: number;
  maxBytes: number;
  /** How often expired results are swept, ms. Default min(ttl, 60 s). */
  sweepMs?: number;
  now?: () => number;
}

/** Result names: 32 hex characters + extension. Anything else is refused before a lookup. */
export const RESULT_NAME = /^[0-9a-f]{32}\.(jpg|png|webp)$/;

export class ResultStore {
  private readonly results = new Map<string, StoredResult>(); // insertion order = age
  private readonly byDigest = new Map<string, string>();
  private bytes = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: ResultStoreOptions) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), options.sweepMs ?? Math.min(options.ttlMs, 60_000));
    // The sweep must never keep the process alive on its own.
    this.timer.unref();
  }

  /** Stores a result under a new random name; drops the oldest while over the count or byte bound. */
  put(data: Buffer, extension: 'jpg' | 'png' | 'webp', contentType: string, digest: string | null = null, warnings: string[] = []): StoredResult {
    const name = `${randomBytes(16).toString('hex')}.${extension}`;
    const entry: StoredResult = { name, data, contentType, expires: this.now() + this.options.ttlMs, digest, warnings };
    this.results.set(name, entry);
    this.bytes += data.length;
    if (digest) this.byDigest.set(digest, name);
    while (this.results.size > this.options.maxCount || (this.bytes > this.options.maxBytes && this.results.size > 1)) {
      this.remove(this.results.keys().next().value as string);
    }
    return entry;
  }

  /** The result of that name, or null when unknown, malformed or expired. */
  get(name: string): StoredResult | null {
    if (!RESULT_NAME.test(name)) return null;
    const entry = this.results.get(name);
    if (!entry) return null;
    if (entry.expires <= this.now()) {
      this.remove(name);
      return null;
    }
    return entry;
  }

  /** The live result an identical earlier request produced, or null. */
  byRequest(digest: string): StoredResult | null {
    const name = this.byDigest.get(digest);
    return name ? this.get(name) : null;
  }

  /** Drops every expired result; returns how many. */
  sweep(): number {
    const now = this.now();
    let dropped = 0;
    for (const [name, entry] of this.results) {
      if (entry.expires <= now) {
        this.remove(name);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.results.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  close(): void {
    clearInterval(this.timer);
    this.results.clear();
    this.byDigest.clear();
    this.bytes = 0;
  }

  private remove(name: string): void {
    const entry = this.results.get(name);
    if (!entry) return;
    this.results.delete(name);
    this.bytes -= entry.data.length;
    if (entry.digest && this.byDigest.get(entry.digest) === name) this.byDigest.delete(entry.digest);
  }
}
