/** The memory cache of analyses the Tryon instance owns, and the keys they are cached by. */
import { createHash } from 'node:crypto';

/** Bytes of an analysis' pixel planes (its typed arrays: image, mask, parsing, skin...). */
export function analysisBytes(analysis: object): number {
  let bytes = 0;
  for (const v of Object.values(analysis)) {
    const data = (v as { data?: unknown } | null)?.data;
    if (ArrayBuffer.isView(data)) bytes += data.byteLength;
  }
  return bytes;
}

interface CacheEntry<T> {
  promise: Promise<T>;
  /** Set once the promise resolves (0 until then). */
  value?: T;
  bytes: number;
}

/**
 * A map of promises, so concurrent requests for one key share one analysis, bounded by count
 * and by the bytes of the resolved analyses: the least recently used go first, and an analysis
 * larger than the whole budget is handed out but not kept. `onDrop` hears of every analysis
 * the bound drops (not of explicit deletes), so that copies elsewhere can follow.
 */
export class PromiseCache<T extends object> {
  private map = new Map<string, CacheEntry<T>>();
  private bytes = 0;
  constructor(
    private readonly limit: number,
    private readonly maxBytes: number,
    private readonly onDrop: (value: T) => void,
  ) {}

  get(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.map.get(key);
    if (hit) {
      // Refresh recency.
      this.map.delete(key);
      this.map.set(key, hit);
      return hit.promise;
    }
    const entry: CacheEntry<T> = { promise: make(), bytes: 0 };
    this.map.set(key, entry);
    entry.promise.then(
      (value) => {
        if (this.map.get(key) !== entry) return;
        const bytes = analysisBytes(value);
        // Bigger than the whole budget: keeping it would push out everything else.
        if (bytes > this.maxBytes) return this.delete(key);
        entry.value = value;
        entry.bytes = bytes;
        this.bytes += bytes;
        this.trim();
      },
      () => this.delete(key, entry),
    );
    this.trim();
    return entry.promise;
  }

  delete(key: string, only?: CacheEntry<T>): void {
    const entry = this.map.get(key);
    if (!entry || (only && entry !== only)) return;
    this.map.delete(key);
    this.bytes -= entry.bytes;
  }

  /** Bytes of the analyses kept. */
  get totalBytes(): number {
    return this.bytes;
  }

  private trim(): void {
    for (const [key, entry] of this.map) {
      const overCount = this.map.size > this.limit;
      if (!overCount && this.bytes <= this.maxBytes) return;
      // Over bytes only: an analysis still in progress frees nothing yet, and is being shared.
      if (!overCount && !entry.value) continue;
      this.delete(key);
      if (entry.value) this.onDrop(entry.value);
    }
  }
}

export function sha256(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}
