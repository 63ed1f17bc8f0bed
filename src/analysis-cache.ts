/** The memory cache of analyses the Tryon instance owns, and the keys they are cached by. */
import { createHash } from 'node:crypto';

/** A bounded map of promises, least recently used dropped first: concurrent requests for one key share one analysis. */
export class PromiseCache<T> {
  private map = new Map<string, Promise<T>>();
  constructor(readonly limit: number) {}

  get(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.map.get(key);
    if (hit) {
      // Refresh recency.
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const p = make();
    this.map.set(key, p);
    p.catch(() => this.map.delete(key));
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
    return p;
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

export function sha256(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}
