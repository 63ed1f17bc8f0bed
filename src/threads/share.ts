/**
 * Moves an analysis' pixel planes into SharedArrayBuffers, in place, so render worker threads
 * read them without a copy: posting the analysis to a worker then clones only its small
 * fields (keypoints, landmarks), while every typed array keeps pointing at the same memory.
 * A person analysis of a 768x1024 photo is ~5 MB of planes; copied to each worker per pair it
 * would cost more than the render.
 */

function sharedCopy<T extends ArrayBufferView>(view: T): T {
  if (view.buffer instanceof SharedArrayBuffer) return view;
  const Ctor = view.constructor as new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number) => T;
  const bytes = view.byteLength;
  const shared = new SharedArrayBuffer(bytes);
  new Uint8Array(shared).set(new Uint8Array(view.buffer, view.byteOffset, bytes));
  if (Buffer.isBuffer(view)) return Buffer.from(shared, 0, bytes) as unknown as T;
  const per = (view as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  return new Ctor(shared, 0, bytes / per);
}

/**
 * Replaces every typed array found in `value` (own properties, nested plain objects and arrays,
 * a few levels deep) with a shared copy. Returns `value`, now cheap to post to workers.
 */
export function shareInPlace<T>(value: T, depth = 3): T {
  if (depth < 0 || value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) obj[k] = sharedCopy(v);
    else if (v !== null && typeof v === 'object') shareInPlace(v, depth - 1);
  }
  return value;
}
