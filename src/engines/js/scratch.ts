/**
 * Zeroed working buffers for one call's temporaries, reused from call to call: a crop's worth
 * of fresh typed arrays per pair kept the garbage collector busy (7 % of the time). Owned by
 * one JsEngine, hence by one thread; the render functions are synchronous, so a buffer is
 * never in use twice. Never return one to a caller. Holds about a dozen buffers of a crop's
 * size (the largest crop seen so far).
 */
export class Scratch {
  private readonly bytes = new Map<string, Uint8Array>();
  private readonly floats = new Map<string, Float32Array>();
  private readonly doubles = new Map<string, Float64Array>();

  /** The first n bytes of the buffer named `key` (grown when too small), zeroed. */
  u8(key: string, n: number): Uint8Array {
    return take(this.bytes, (k) => new Uint8Array(k), key, n);
  }

  f32(key: string, n: number): Float32Array {
    return take(this.floats, (k) => new Float32Array(k), key, n);
  }

  f64(key: string, n: number): Float64Array {
    return take(this.doubles, (k) => new Float64Array(k), key, n);
  }

  /** Bytes held. */
  byteLength(): number {
    let n = 0;
    for (const m of [this.bytes, this.floats, this.doubles]) for (const b of m.values()) n += b.byteLength;
    return n;
  }
}

function take<T extends Uint8Array | Float32Array | Float64Array>(pool: Map<string, T>, make: (n: number) => T, key: string, n: number): T {
  let b = pool.get(key);
  if (!b || b.length < n) pool.set(key, (b = make(n)));
  const v = b.subarray(0, n) as T;
  v.fill(0);
  return v;
}
