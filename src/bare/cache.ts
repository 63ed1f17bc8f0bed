/**
 * Persistent cache of bare-body layers, beside the person analyses: one file per person and
 * category under <dir>/bare-v<FORMAT>/<key[0..2]>/<key>-<category>.bin, written atomically.
 * Layout:
 *   "TRYONBB" + format byte | u32 JSON length | JSON (box, changed, warnings, timings)
 *   | raw RGB over the box | u32 length | deflated (skin, backdrop, old, arms) planes
 * A file of another format, a truncated or corrupt one is a miss, never a crash.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { writeFileAtomic } from '../image/write.ts';
import type { GarmentCategory } from '../types.ts';
import type { BareBody } from './index.ts';

/** Bump whenever bareBody's output changes for the same analysis, or the layout does. */
export const BARE_CACHE_FORMAT = 3;
const MAGIC = Buffer.from('TRYONBB', 'latin1');

type Header = Omit<BareBody, 'image' | 'skin' | 'backdrop' | 'old' | 'arms'> & { format: number; key: string };

export class BareDiskCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.join(dir, `bare-v${BARE_CACHE_FORMAT}`);
  }

  fileFor(key: string, category: GarmentCategory): string {
    const safe = /^[0-9a-f]{16,128}$/.test(key) ? key : Buffer.from(key).toString('hex').slice(0, 128);
    return path.join(this.dir, safe.slice(0, 2), `${safe}-${category}.bin`);
  }

  async get(key: string, category: GarmentCategory): Promise<BareBody | null> {
    try {
      return decode(await readFile(this.fileFor(key, category)), key, category);
    } catch {
      return null;
    }
  }

  async set(key: string, bare: BareBody): Promise<void> {
    await writeFileAtomic(this.fileFor(key, bare.category), encode(key, bare));
  }
}

const u32 = (v: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(v);
  return b;
};

function encode(key: string, bare: BareBody): Buffer {
  const { image, skin, backdrop, old, arms, ...rest } = bare;
  const header: Header = { ...rest, format: BARE_CACHE_FORMAT, key };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const n = bare.box.width * bare.box.height;
  const planes = Buffer.allocUnsafe(4 * n);
  planes.set(skin, 0);
  planes.set(backdrop, n);
  planes.set(old, 2 * n);
  planes.set(arms, 3 * n);
  const packed = deflateRawSync(planes, { level: 1 });
  return Buffer.concat([MAGIC, Buffer.from([BARE_CACHE_FORMAT]), u32(json.length), json, image, u32(packed.length), packed]);
}

function decode(bytes: Buffer, key: string, category: GarmentCategory): BareBody | null {
  if (bytes.length < 12 || !bytes.subarray(0, 7).equals(MAGIC) || bytes[7] !== BARE_CACHE_FORMAT) return null;
  const jsonLength = bytes.readUInt32LE(8);
  let at = 12 + jsonLength;
  if (at > bytes.length) return null;
  const header = JSON.parse(bytes.subarray(12, at).toString('utf8')) as Header;
  if (header.format !== BARE_CACHE_FORMAT || header.key !== key || header.category !== category) return null;
  const n = header.box.width * header.box.height;
  if (at + 3 * n + 4 > bytes.length) return null;
  const image = new Uint8Array(bytes.subarray(at, at + 3 * n));
  at += 3 * n;
  const packedLength = bytes.readUInt32LE(at);
  at += 4;
  if (at + packedLength > bytes.length) return null;
  const planes = inflateRawSync(bytes.subarray(at, at + packedLength));
  if (planes.length !== 4 * n) return null;
  const { format: _format, key: _key, ...rest } = header;
  const plane = (i: number): Uint8Array => new Uint8Array(planes.subarray(i * n, (i + 1) * n));
  return { ...rest, image, skin: plane(0), backdrop: plane(1), old: plane(2), arms: plane(3) };
}
