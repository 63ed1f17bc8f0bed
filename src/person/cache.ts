/**
 * Persistent cache of person analyses: one file per analysis under
 * <dir>/person-v<FORMAT>/<key[0..2]>/<key>.bin, written atomically. Layout:
 *   "TRYONPA" + format byte | u32 JSON length | JSON (everything but the pixel planes)
 *   | raw RGB photo | u32 length | deflated (mask, parsing, skin) planes
 * Masks and label maps deflate to a few percent; the photo is kept raw so a hit costs no
 * decoding. A file of another format version, a truncated or corrupt one is a miss, never a
 * crash; the next analysis overwrites it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { writeFileAtomic } from '../image/write.ts';
import type { PersonAnalysis } from '../types.ts';

/** Bump when the file layout or the analysis itself changes meaning. */
export const PERSON_CACHE_FORMAT = 2;
const MAGIC = Buffer.from('TRYONPA', 'latin1');

type Header = Omit<PersonAnalysis, 'image' | 'mask' | 'parsing' | 'skin'> & { format: number; channels: number };

export class PersonDiskCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.join(dir, `person-v${PERSON_CACHE_FORMAT}`);
  }

  fileFor(key: string): string {
    // Keys are sha256 hex; anything else is hashed into a safe name rather than trusted as a path.
    const safe = /^[0-9a-f]{16,128}$/.test(key) ? key : Buffer.from(key).toString('hex').slice(0, 128);
    return path.join(this.dir, safe.slice(0, 2), `${safe}.bin`);
  }

  async get(key: string): Promise<PersonAnalysis | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.fileFor(key));
    } catch {
      return null;
    }
    try {
      return decode(bytes, key);
    } catch {
      return null;
    }
  }

  async set(key: string, a: PersonAnalysis): Promise<void> {
    await writeFileAtomic(this.fileFor(key), encode(a));
  }
}

function encode(a: PersonAnalysis): Buffer {
  const { image, mask, parsing, skin, ...rest } = a;
  const header: Header = { ...rest, format: PERSON_CACHE_FORMAT, channels: image.channels };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const n = a.width * a.height;
  const planes = Buffer.allocUnsafe(3 * n);
  planes.set(mask.data, 0);
  planes.set(parsing.data, n);
  planes.set(skin.data, 2 * n);
  const packed = deflateRawSync(planes, { level: 1 });
  const u32 = (v: number): Buffer => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(v);
    return b;
  };
  return Buffer.concat([MAGIC, Buffer.from([PERSON_CACHE_FORMAT]), u32(json.length), json, image.data, u32(packed.length), packed]);
}

function decode(bytes: Buffer, key: string): PersonAnalysis | null {
  if (bytes.length < 12 || !bytes.subarray(0, 7).equals(MAGIC) || bytes[7] !== PERSON_CACHE_FORMAT) return null;
  const jsonLength = bytes.readUInt32LE(8);
  let at = 12 + jsonLength;
  if (at > bytes.length) return null;
  const header = JSON.parse(bytes.subarray(12, at).toString('utf8')) as Header;
  if (header.format !== PERSON_CACHE_FORMAT || header.key !== key) return null;
  const { width, height, channels } = header;
  const n = width * height;
  if (!(n > 0) || (channels !== 3 && channels !== 4)) return null;
  if (at + n * channels + 4 > bytes.length) return null;
  // Copies, so the analysis does not pin the whole file buffer.
  const image = new Uint8Array(bytes.subarray(at, at + n * channels));
  at += n * channels;
  const packedLength = bytes.readUInt32LE(at);
  at += 4;
  if (at + packedLength !== bytes.length) return null;
  const planes = inflateRawSync(bytes.subarray(at, at + packedLength));
  if (planes.length !== 3 * n) return null;
  const { format: _format, channels: _channels, ...rest } = header;
  return {
    ...rest,
    image: { data: image, width, height, channels },
    mask: { data: new Uint8Array(planes.subarray(0, n)), width, height },
    parsing: { data: new Uint8Array(planes.subarray(n, 2 * n)), width, height },
    skin: { data: new Uint8Array(planes.subarray(2 * n, 3 * n)), width, height },
  };
}
