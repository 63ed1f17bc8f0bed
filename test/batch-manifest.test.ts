/**
 * Catalog manifests (JSON and CSV), ids, person globbing, planning and sharding: everything
 * of `tryon batch` that needs no models.
 */
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseCsv } from '../src/batch/csv.ts';
import { safeName, uniqueNames } from '../src/batch/ids.ts';
import { loadManifest, parseManifest } from '../src/batch/manifest.ts';
import { findPersons } from '../src/batch/persons.ts';
import { parseShard, planBatch } from '../src/batch/plan.ts';
import { TryonError } from '../src/errors.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'tryon-batch-'));

function manifestError(fn: () => unknown): TryonError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TryonError);
    expect((err as TryonError).code).toBe('BAD_MANIFEST');
    return err as TryonError;
  }
  throw new Error('expected a BAD_MANIFEST error');
}

describe('CSV', () => {
  it('reads quoted fields with commas, doubled quotes, line breaks, CRLF and a BOM', () => {
    const text = '\uFEFFid,type,name\r\na1,tshirt,"Tee, blue"\r\n"a2",dress,"The ""Gala"" dress"\r\na3,skirt,"two\nlines"\r\n\r\na4, jeans ,\r\n';
    const rows = parseCsv(text, 'c.csv');
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 7]);
    expect(rows[0].fields).toEqual({ id: 'a1', type: 'tshirt', name: 'Tee, blue' });
    expect(rows[1].fields.name).toBe('The "Gala" dress');
    expect(rows[2].fields.name).toBe('two\nlines');
    expect(rows[3].fields).toEqual({ id: 'a4', type: 'jeans' }); // trimmed, empty cell absent
  });

  it('names the line of an unclosed quote and of a row with too many fields', () => {
    expect(() => parseCsv('id,type\nx,"tshirt\n', 'c.csv')).toThrow(/c\.csv line 2: a quoted field is never closed/);
    expect(() => parseCsv('id,type\nx,tshirt\ny,dress,extra\n', 'c.csv')).toThrow(/c\.csv line 3: 3 fields but the header has 2/);
  });
});

describe('ids', () => {
  it('makes file-system-safe names', () => {
    expect(safeName('../etc/passwd')).toBe('etc_passwd');
    expect(safeName('Été rouge #2')).toBe('Ete_rouge_2');
    expect(safeName('.hidden')).toBe('hidden');
    expect(safeName('CON')).toBe('CON_');
    expect(safeName('///')).toBe('item');
  });

  it('keeps names unique ignoring case, deterministically', () => {
    expect(uniqueNames(['a b', 'a_b', 'A-B', 'a-b'])).toEqual(['a_b', 'a_b-2', 'A-B', 'a-b-2']);
  });
});

describe('manifest', () => {
  const base = '/catalog';

  it('accepts {"garments": [...]} and a bare array, with defaults', () => {
    const entries = [
      { id: 'tee-1', image: 'g/tee.jpg', type: 'tshirt', category: 'upper', description: 'a tee' },
      { id: 42, type: 'Dress', color: '#F0A', size: 'l', name: 'Red dress' },
    ];
    for (const text of [JSON.stringify({ garments: entries }), JSON.stringify(entries)]) {
      const m = parseManifest(text, { name: 'm.json', baseDir: base });
      expect(m.warnings).toEqual([]);
      expect(m.garments[0]).toMatchObject({ id: 'tee-1', name: 'tee-1', type: 'tshirt', category: 'upper', image: path.resolve(base, 'g/tee.jpg'), color: null, size: null });
      expect(m.garments[1]).toMatchObject({ id: '42', type: 'dress', category: 'dress', image: null, color: '#ff00aa', size: 'L', label: 'Red dress' });
    }
  });

  it('names the entry and the field of a bad colour, an unknown type, a bad size or category', () => {
    const bad = (entry: object): TryonError =>
      manifestError(() => parseManifest(JSON.stringify({ garments: [{ id: 'ok', type: 'tshirt' }, entry] }), { name: 'm.json', baseDir: base }));
    let e = bad({ id: 'g2', type: 'tshirt', color: 'blue' });
    expect(e.message).toBe('m.json garments[1] (id "g2"): Expected hex colour such as #1e90ff or #fff for color but received "blue" of type string');
    e = bad({ id: 'g2', type: 'poncho' });
    expect(e.message).toContain('m.json garments[1] (id "g2")');
    expect(e.message).toContain('for type but received "poncho"');
    expect(e.message).toContain('tshirt, polo, shirt'); // lists the known types
    expect(bad({ id: 'g2', type: 'tshirt', size: 'XXL' }).message).toContain('one of S, M, L, XL for size');
    expect(bad({ id: 'g2', type: 'tshirt', category: 'lower' }).message).toContain('field "category": "lower" does not match type "tshirt", which is upper');
    expect(bad({ type: 'tshirt' }).message).toContain('m.json garments[1], field "id": missing');
    expect(bad({ id: 'ok', type: 'dress' }).message).toContain('duplicate: m.json garments[0] has the same id');
    expect(bad('just text' as unknown as object).message).toContain('m.json garments[1]: expected an object');
  });

  it('names the CSV line and field', () => {
    const csv = 'id,type,color\na,tshirt,#123456\nb,tshirt,#12345\n';
    const e = manifestError(() => parseManifest(csv, { name: 'm.csv', baseDir: base }));
    expect(e.message).toBe('m.csv line 3 (id "b"): Expected hex colour such as #1e90ff or #fff for color but received "#12345" of type string');
  });

  it('rejects JSON that is not a manifest', () => {
    expect(manifestError(() => parseManifest('{"garments": 3}', { name: 'm.json', baseDir: base })).message).toContain('"garments" must be an array');
    expect(manifestError(() => parseManifest('{"items": []}', { name: 'm.json', baseDir: base })).message).toContain('expected {"garments": [...]}');
    expect(manifestError(() => parseManifest('{"garments": [', { name: 'm.json', baseDir: base })).message).toContain('not valid JSON');
  });

  it('warns about unknown fields but not about descriptions', () => {
    const m = parseManifest(JSON.stringify([{ id: 'a', type: 'top', descripton: 'typo', description: 'fine' }]), { name: 'm.json', baseDir: base });
    expect(m.warnings).toEqual(['m.json [0]: field "descripton" is not used (known fields: id, image, type, category, color, size, name, source)']);
  });

  it('gives unsafe ids safe unique file names', () => {
    const m = parseManifest(JSON.stringify([{ id: 'A/1', type: 'top' }, { id: 'a 1', type: 'top' }]), { name: 'm.json', baseDir: base });
    expect(m.garments.map((g) => g.name)).toEqual(['A_1', 'a_1-2']);
  });

  it('loads a file and checks that every image exists', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'tee.jpg'), 'x');
    writeFileSync(path.join(dir, 'm.csv'), 'id,image,type\ntee,tee.jpg,tshirt\nnone,missing.jpg,dress\n');
    const e = await loadManifest(path.join(dir, 'm.csv')).catch((err: TryonError) => err);
    expect(e).toBeInstanceOf(TryonError);
    expect((e as TryonError).code).toBe('BAD_MANIFEST');
    expect((e as TryonError).message).toMatch(/m\.csv line 3 \(id "none"\), field "image": file not found: .*missing\.jpg/);
    const missing = await loadManifest(path.join(dir, 'nope.json')).catch((err: TryonError) => err);
    expect((missing as TryonError).code).toBe('BAD_MANIFEST');
  });

  it('says what a garment image is when it is not a file: a link loop, a link to nothing, a folder', async () => {
    const dir = tmp();
    symlinkSync('loop.jpg', path.join(dir, 'loop.jpg'));
    symlinkSync('gone.jpg', path.join(dir, 'dangling.jpg'));
    mkdirSync(path.join(dir, 'folder.jpg'));
    const cases: [string, RegExp][] = [
      ['loop.jpg', /m\.json \[0\] \(id "g"\), field "image": a symbolic link loop: .*loop\.jpg$/],
      ['dangling.jpg', /field "image": a symbolic link to gone\.jpg, which does not exist: .*dangling\.jpg$/],
      ['folder.jpg', /field "image": a folder, not an image file: .*folder\.jpg$/],
    ];
    for (const [image, message] of cases) {
      writeFileSync(path.join(dir, 'm.json'), JSON.stringify([{ id: 'g', type: 'tshirt', image }]));
      const e = (await loadManifest(path.join(dir, 'm.json')).catch((err: unknown) => err)) as TryonError;
      expect(e.code).toBe('BAD_MANIFEST');
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('not found');
    }
  });

  it('refuses a binary manifest with a short printable excerpt, never its bytes', async () => {
    const dir = tmp();
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } }).png().toBuffer();
    const files: [string, Buffer, RegExp][] = [
      ['photo.json', png, /photo\.json: not a JSON or CSV manifest: it holds binary data \(a PNG image\), starting "\\x89PNG\\x0d\\x0a\\x1a\\x0a/],
      ['photo.csv', png, /photo\.csv: not a JSON or CSV manifest: it holds binary data \(a PNG image\)/],
      ['catalog', gzipSync(JSON.stringify([{ id: 'g', type: 'tshirt' }])), /catalog: not a JSON or CSV manifest: it holds binary data, starting "\\x1f\\x8b/],
      ['utf16.csv', Buffer.from('\uFEFFid,type\nx,tshirt\n', 'utf16le'), /utf16\.csv: not a JSON or CSV manifest: it holds binary data/],
    ];
    for (const [name, bytes, message] of files) {
      writeFileSync(path.join(dir, name), bytes);
      const e = (await loadManifest(path.join(dir, name)).catch((err: unknown) => err)) as TryonError;
      expect(e.code, name).toBe('BAD_MANIFEST');
      expect(e.message).toMatch(message);
      expect(e.message.length).toBeLessThan(200);
      expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\ufffd]/); // printable only
    }
    // The same for text handed to parseManifest.
    expect(manifestError(() => parseManifest(png.toString('latin1'), { name: 'm', baseDir: base })).message).toMatch(/^m: not a JSON or CSV manifest: it holds binary data, starting "\\xc2\\x89PNG/);
    // A long header name is quoted short.
    const e = manifestError(() => parseCsv(`id,${'x'.repeat(500)},${'x'.repeat(500)}\n`, 'm.csv'));
    expect(e.message).toBe(`m.csv line 1: header column "${'x'.repeat(37)}..." appears twice`);
  });

  it.skipIf(!HAVE_SHARED)('reads the shared catalog as it is', async () => {
    const m = await loadManifest(path.join(SHARED_FIXTURES, 'catalog.json'));
    expect(m.garments).toHaveLength(42);
    expect(m.warnings).toEqual([]);
    expect(new Set(m.garments.map((g) => g.category))).toEqual(new Set(['upper', 'lower', 'dress']));
    expect(m.garments.every((g) => g.image?.startsWith(path.join(SHARED_FIXTURES, 'garments')))).toBe(true);
  });
});

describe('persons', () => {
  it('expands globs, folders and paths; skips non-images with a warning; keeps corrupt images', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'sub'));
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#888' } }).png().toBuffer();
    writeFileSync(path.join(dir, 'b (1).png'), png);
    writeFileSync(path.join(dir, 'a.jpg'), 'not really a jpeg'); // corrupt: stays, fails later
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    writeFileSync(path.join(dir, 'noext'), png); // an image by its bytes
    writeFileSync(path.join(dir, 'sub', 'a.png'), png);
    const found = await findPersons(['*', 'sub/*.png', path.join(dir, 'b (1).png')], dir);
    expect(found.persons.map((p) => p.name)).toEqual(['a', 'b_1', 'noext', 'a-2']);
    expect(found.warnings).toEqual([`${path.join(dir, 'notes.txt')}: not an image, skipped`]);
    const folder = await findPersons([path.join(dir, 'sub')]);
    expect(folder.persons.map((p) => p.name)).toEqual(['a']);
    const none = await findPersons(['nothing-*.jpg'], dir);
    expect(none.persons).toEqual([]);
    expect(none.warnings[0]).toContain('matches no files');
  });

  it('refuses a path named outright that gives nothing: missing, or a folder with no image in it', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'photos', 'inner'), { recursive: true });
    writeFileSync(path.join(dir, 'photos', 'inner', 'a.png'), await sharp({ create: { width: 40, height: 40, channels: 3, background: '#888' } }).png().toBuffer());
    writeFileSync(path.join(dir, 'a.png'), await sharp({ create: { width: 40, height: 40, channels: 3, background: '#888' } }).png().toBuffer());
    const refused = async (patterns: string[]): Promise<TryonError> => {
      const e = (await findPersons(patterns, dir).catch((err: unknown) => err)) as TryonError;
      expect(e).toBeInstanceOf(TryonError);
      expect(e.code).toBe('BAD_OPTION');
      return e;
    };
    expect((await refused(['a.png', 'b.png'])).message).toBe('--persons b.png: no such file or folder');
    expect((await refused(['a.png', 'nowhere/b.png'])).message).toBe('--persons nowhere/b.png: no such file or folder');
    const folder = await refused(['a.png', 'photos']);
    expect(folder.message).toBe('--persons photos: a folder with no image files in it');
    expect(folder.suggestion).toContain('"photos/**/*.jpg"');
    // A pattern may match nothing (a warning); a folder with images is fine.
    expect((await findPersons(['a.png', 'photos/*.png'], dir)).warnings).toEqual(['--persons photos/*.png: matches no files']);
    expect((await findPersons(['photos/inner'], dir)).persons.map((p) => p.name)).toEqual(['a']);
  });

  it('follows each real file once: no descent into a folder link loop, a linked photo counted once', async () => {
    const dir = tmp();
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#888' } }).png().toBuffer();
    mkdirSync(path.join(dir, 'persons', 'a'), { recursive: true });
    for (const f of ['persons/y.jpg', 'persons/a/x.jpg', 'persons/a/z.jpg']) writeFileSync(path.join(dir, f), png);
    symlinkSync('..', path.join(dir, 'persons', 'a', 'up')); // persons/a/up/a/up/... back to persons
    symlinkSync('y.jpg', path.join(dir, 'persons', 'alias.jpg'));
    const found = await findPersons(['persons/**/*.jpg'], dir);
    expect(found.persons.map((p) => path.relative(dir, p.image))).toEqual(['persons/a/x.jpg', 'persons/a/z.jpg', 'persons/y.jpg']);
    expect(found.warnings).toEqual([`${path.join(dir, 'persons/alias.jpg')}: the same file as ${path.join(dir, 'persons/y.jpg')}, taken once`]);
    // A linked photo alone counts; a link loop or a dangling link matched by a pattern is skipped, saying which.
    symlinkSync('loop.jpg', path.join(dir, 'persons', 'loop.jpg'));
    symlinkSync('gone.jpg', path.join(dir, 'persons', 'dangling.jpg'));
    const linked = await findPersons(['persons/alias.jpg', 'persons/*.jpg'], dir);
    expect(linked.persons.map((p) => p.name)).toEqual(['y']);
    expect(linked.warnings).toContain(`${path.join(dir, 'persons/loop.jpg')}: a symbolic link loop, skipped`);
    expect(linked.warnings).toContain(`${path.join(dir, 'persons/dangling.jpg')}: a symbolic link to gone.jpg, which does not exist, skipped`);
    // A folder named through a link is read.
    symlinkSync(path.join(dir, 'persons', 'a'), path.join(dir, 'shortcut'));
    expect((await findPersons(['shortcut'], dir)).persons.map((p) => p.name)).toEqual(['x', 'z']);
    expect((await findPersons(['shortcut/*.jpg'], dir)).persons.map((p) => p.name)).toEqual(['x', 'z']);
  });

  it('keeps a link loop named outright as a person whose pairs will fail, saying what it is', async () => {
    const dir = tmp();
    symlinkSync('loop.jpg', path.join(dir, 'loop.jpg'));
    writeFileSync(path.join(dir, 'ok.png'), await sharp({ create: { width: 40, height: 40, channels: 3, background: '#888' } }).png().toBuffer());
    const found = await findPersons(['loop.jpg', 'ok.png'], dir);
    expect(found.persons).toEqual([
      { image: path.join(dir, 'loop.jpg'), name: 'loop', problem: { code: 'BAD_INPUT', message: `${path.join(dir, 'loop.jpg')}: a symbolic link loop` } },
      { image: path.join(dir, 'ok.png'), name: 'ok' },
    ]);
  });
});

describe('plan and shards', () => {
  const persons = ['p1', 'p2', 'p3', 'p4', 'p5'].map((name) => ({ name, image: `/x/${name}.jpg` }));
  const garments = parseManifest(JSON.stringify(['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'].map((id) => ({ id, type: 'tshirt', ...(id === 'g2' ? { size: 'S' } : {}) }))), { name: 'm', baseDir: '/' }).garments;

  it('plans P x G pairs person-major with outputs and sizes', () => {
    const plan = planBatch({ persons, garments, outDir: '/out', options: { format: 'png', size: 'M' } });
    expect(plan.pairs).toHaveLength(35);
    expect(plan.pairs[0]).toMatchObject({ key: 'p1/g1', output: 'p1/g1.png', size: 'M' });
    expect(plan.pairs[1]).toMatchObject({ key: 'p1/g2', size: 'S' });
    expect(plan.pairs[7].key).toBe('p2/g1');
  });

  it('parses shards and refuses bad ones', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '-1/2']) expect(() => parseShard(bad)).toThrow(/for --shard/);
  });

  it('splits the pairs into shards that cover every pair exactly once, whatever the manifest order', () => {
    for (const n of [1, 2, 3, 4, 6, 35, 40]) {
      const seen: string[] = [];
      for (let i = 1; i <= n; i++) {
        const shard = planBatch({ persons, garments, outDir: '/out', shard: { index: i, count: n } });
        expect(shard.totalPairs).toBe(35);
        expect(Math.abs(shard.pairs.length - 35 / n)).toBeLessThan(1);
        seen.push(...shard.pairs.map((p) => p.key));
      }
      expect(seen.sort()).toEqual(planBatch({ persons, garments, outDir: '/out' }).pairs.map((p) => p.key).sort());
    }
    const a = planBatch({ persons, garments, outDir: '/out', shard: { index: 2, count: 3 } }).pairs.map((p) => p.key);
    const b = planBatch({ persons: [...persons].reverse(), garments: [...garments].reverse(), outDir: '/out', shard: { index: 2, count: 3 } }).pairs.map((p) => p.key);
    expect(new Set(b)).toEqual(new Set(a));
  });

  it('validates output options', () => {
    expect(() => planBatch({ persons, garments, outDir: '/o', options: { quality: 0 } })).toThrow('Expected integer between 1 and 100 for quality but received 0 of type number');
    expect(() => planBatch({ persons, garments, outDir: '/o', options: { format: 'gif' as 'png' } })).toThrow(/for format/);
  });
});
