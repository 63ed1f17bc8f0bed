/**
 * The batch runner's scheduling, failure, resume, interruption and memory logic, driven
 * through a small in-test pipeline (real decoding, a trivial "render") so that these cases run
 * in milliseconds. The real pipeline is exercised end to end in batch-cli.test.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/image/decode.ts';
import { planCatalog } from '../src/batch/catalog.ts';
import { parseManifest } from '../src/batch/manifest.ts';
import { findPersons } from '../src/batch/persons.ts';
import { planBatch } from '../src/batch/plan.ts';
import { runBatch, type BatchEvent, type BatchPipeline } from '../src/batch/runner.ts';
import { renderIndexHtml, esc } from '../src/batch/html.ts';
import { journalPath } from '../src/batch/journal.ts';
import type { ResultsDoc } from '../src/batch/results.ts';
import { TryonError } from '../src/errors.ts';
import type { GarmentAnalysis, PersonAnalysis, RawImage } from '../src/types.ts';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'tryon-runner-'));

/** A pipeline with real decoding and a trivial render: the garment's colour over the person's top half. */
function testPipeline(delayMs = 0) {
  const stats = { persons: 0, garments: 0, templates: 0, renders: 0, inFlight: 0, maxInFlight: 0, alive: 0, maxAlive: 0, forgotten: 0, forgottenGarments: [] as string[], started: 0, garmentObjects: new Map<object, number>(), order: [] as string[] };
  const busy = async <T>(fn: () => Promise<T>): Promise<T> => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return await fn();
    } finally {
      stats.inFlight--;
    }
  };
  const pipeline: BatchPipeline = {
    analysePerson: (input, name) =>
      busy(async () => {
        stats.persons++;
        const d = await decodeImage(input, { name, maxPixels: 1e7 });
        stats.alive++;
        stats.maxAlive = Math.max(stats.maxAlive, stats.alive);
        return { key: name, width: d.image.width, height: d.image.height, image: d.image, warnings: [], timings: { decode: 1 } } as unknown as PersonAnalysis;
      }),
    analyseGarment: (input, options) =>
      busy(async () => {
        stats.garments++;
        const d = await decodeImage(input, { name: options.name, maxPixels: 1e7 });
        const mask = { data: new Uint8Array(d.image.width * d.image.height).fill(255), width: d.image.width, height: d.image.height };
        return { key: options.name, source: 'photo', type: options.type, category: options.category, image: d.image, mask, color: [d.image.data[0], d.image.data[1], d.image.data[2]], warnings: [] } as unknown as GarmentAnalysis;
      }),
    template: (type, color) =>
      busy(async () => {
        stats.templates++;
        const rgb = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
        const image: RawImage = { data: new Uint8Array(16 * 16 * 3).map((_, i) => rgb[i % 3]), width: 16, height: 16, channels: 3 };
        return { key: `t${type}${color}`, source: 'template', type, image, mask: { data: new Uint8Array(256), width: 16, height: 16 }, color: rgb, warnings: [] } as unknown as GarmentAnalysis;
      }),
    tryOn: (person, garment) => {
      stats.started++;
      return busy(async () => {
        stats.renders++;
        stats.garmentObjects.set(garment, (stats.garmentObjects.get(garment) ?? 0) + 1);
        stats.order.push(`${person.key}|${garment.key}`);
        if ((garment as unknown as { type: string }).type === 'polo') throw new Error('renderer exploded');
        const out = new Uint8Array(person.image.data);
        for (let i = 0; i < (out.length / 3) >> 1; i++) out.set(garment.color, i * 3);
        return { image: { ...person.image, data: out }, layers: {} as never, timings: { warp: 2, composite: 3 } };
      });
    },
    forget: (a) => {
      if ('keypoints' in a || 'timings' in a) stats.alive--;
      else stats.forgottenGarments.push(a.key);
      stats.forgotten++;
    },
  };
  return { pipeline, stats };
}

async function setup(options: { persons?: number; corrupt?: boolean; garments?: object[] } = {}) {
  const dir = tmp();
  const colours = ['#c03030', '#30a040', '#3050c0', '#c0a020', '#8040a0'];
  const persons: { name: string; image: string }[] = [];
  for (let i = 0; i < (options.persons ?? 3); i++) {
    const file = path.join(dir, `person ${i}.png`);
    writeFileSync(file, await sharp({ create: { width: 48, height: 64, channels: 3, background: colours[i % 5] } }).png().toBuffer());
    persons.push({ name: `person_${i}`, image: file });
  }
  if (options.corrupt) {
    const file = path.join(dir, 'broken.jpg');
    const jpeg = await sharp({ create: { width: 48, height: 64, channels: 3, background: '#777' } }).jpeg().toBuffer();
    writeFileSync(file, jpeg.subarray(0, 200)); // cut short
    persons.splice(1, 0, { name: 'broken', image: file });
  }
  writeFileSync(path.join(dir, 'g1.png'), await sharp({ create: { width: 40, height: 40, channels: 3, background: '#101010' } }).png().toBuffer());
  writeFileSync(path.join(dir, 'g2.png'), await sharp({ create: { width: 40, height: 40, channels: 3, background: '#f0f0f0' } }).png().toBuffer());
  const entries = options.garments ?? [
    { id: 'g1', image: 'g1.png', type: 'tshirt' },
    { id: 'g2', image: 'g2.png', type: 'jeans', size: 'L' },
    { id: 'blue <tee>', type: 'tshirt', color: '#1e90ff' },
  ];
  const garments = parseManifest(JSON.stringify(entries), { name: 'm.json', baseDir: dir }).garments;
  const out = path.join(dir, 'out');
  return { dir, out, persons, garments, plan: (extra: Partial<Parameters<typeof planBatch>[0]> = {}) => planBatch({ persons, garments, outDir: out, ...extra }) };
}

const readDoc = (file: string): ResultsDoc => JSON.parse(readFileSync(file, 'utf8')) as ResultsDoc;

describe('runBatch', () => {
  it('renders every pair with P + G analyses, bounded concurrency, results.json and index.html', async () => {
    const s = await setup();
    const { pipeline, stats } = testPipeline(5);
    const events: BatchEvent[] = [];
    const summary = await runBatch(s.plan(), pipeline, { concurrency: 2, onEvent: (e) => events.push(e), version: 't' });
    expect(summary).toMatchObject({ pairs: 9, done: 9, failed: 0, rendered: 9, exitCode: 0, interrupted: false });
    expect(stats).toMatchObject({ persons: 3, garments: 2, templates: 1, renders: 9 });
    expect(stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(stats.maxInFlight).toBe(2);
    const doc = readDoc(path.join(s.out, 'results.json'));
    expect(doc.complete).toBe(true);
    expect(doc.results).toHaveLength(9);
    const r = doc.results.find((x) => x.person === 'person_0' && x.garment === 'g2')!;
    expect(r).toMatchObject({ ok: true, status: 'done', output: 'person_0/g2.jpg', error: null, thumb: '.thumbs/person_0/g2.jpg' });
    expect(r.ms).toMatchObject({ decode: 1, warp: 2, composite: 3 });
    for (const k of ['personAnalysis', 'garmentAnalysis', 'encode', 'write', 'total'] as const) expect(r.ms[k]).toBeGreaterThanOrEqual(0);
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    const img = await sharp(path.join(s.out, 'person_0/blue_tee.jpg')).raw().toBuffer({ resolveWithObject: true });
    expect(img.info).toMatchObject({ width: 48, height: 64 });
    expect([img.data[0], img.data[1], img.data[2]].map((v) => Math.round(v / 16))).toEqual([2, 9, 16]); // #1e90ff on top
    expect(events.map((e) => e.type)).toEqual(['start', ...Array(9).fill('pair-done'), 'summary']);
    const html = readFileSync(path.join(s.out, 'index.html'), 'utf8');
    expect(html).toContain('blue &lt;tee&gt;');
    expect(html).not.toContain('<tee>');
    expect(html).toContain('href="person_0/blue_tee.jpg"');
    expect(existsSync(path.join(s.out, '.thumbs/.headers/persons/person_0.jpg'))).toBe(true);
    expect(existsSync(journalPath(path.join(s.out, 'results.json')))).toBe(false);
  });

  it('fails only the pairs of a corrupt person photo and of a failing render, with their reasons', async () => {
    const s = await setup({ corrupt: true, garments: [{ id: 'g1', image: 'g1.png', type: 'tshirt' }, { id: 'p', type: 'polo' }] });
    const { pipeline } = testPipeline();
    const events: BatchEvent[] = [];
    const summary = await runBatch(s.plan(), pipeline, { concurrency: 2, onEvent: (e) => events.push(e), version: 't' });
    expect(summary).toMatchObject({ pairs: 8, done: 3, failed: 5, exitCode: 1 });
    const doc = readDoc(path.join(s.out, 'results.json'));
    const broken = doc.results.filter((r) => r.person === 'broken');
    expect(broken.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(broken[0].error!.code).toBe('BAD_INPUT');
    expect(broken[0].error!.message).toContain('broken.jpg');
    const polo = doc.results.filter((r) => r.garment === 'p' && r.person !== 'broken');
    expect(polo.every((r) => r.error?.message === 'renderer exploded')).toBe(true);
    expect(doc.results.filter((r) => r.ok).every((r) => r.garment === 'g1' && r.person !== 'broken')).toBe(true);
    const failed = events.filter((e) => e.type === 'pair-failed');
    expect(failed).toHaveLength(5);
    expect(failed.find((e) => e.type === 'pair-failed' && e.person === 'broken')).toMatchObject({ error: { stage: 'person' } });
    const html = readFileSync(path.join(s.out, 'index.html'), 'utf8');
    expect(html).toContain('BAD_INPUT');
    expect(html).toContain('5 failed pairs');
  });

  it('--resume skips unchanged pairs and re-renders changed, missing and failed ones', async () => {
    const s = await setup();
    await runBatch(s.plan(), testPipeline().pipeline, { concurrency: 2, version: 't' });
    const again = testPipeline();
    let summary = await runBatch(s.plan(), again.pipeline, { concurrency: 2, resume: true, version: 't' });
    expect(summary).toMatchObject({ done: 9, resumed: 9, rendered: 0, exitCode: 0 });
    expect(again.stats).toMatchObject({ persons: 0, garments: 0, templates: 0, renders: 0 });

    rmSync(path.join(s.out, 'person_1/g1.jpg'));
    writeFileSync(path.join(s.dir, 'g2.png'), await sharp({ create: { width: 40, height: 40, channels: 3, background: '#00ff00' } }).png().toBuffer());
    const third = testPipeline();
    summary = await runBatch(s.plan(), third.pipeline, { concurrency: 2, resume: true, version: 't' });
    expect(summary).toMatchObject({ done: 9, rendered: 4, resumed: 5 }); // 3 pairs of the changed g2 + the deleted one
    expect(third.stats).toMatchObject({ persons: 3, garments: 2, templates: 0, renders: 4 });

    // Other options (format) or another tool version: everything again.
    summary = await runBatch(s.plan({ options: { quality: 50 } }), testPipeline().pipeline, { concurrency: 2, resume: true, version: 't' });
    expect(summary.rendered).toBe(9);
    summary = await runBatch(s.plan({ options: { quality: 50 } }), testPipeline().pipeline, { concurrency: 2, resume: true, version: 'u' });
    expect(summary.rendered).toBe(9);
  });

  it('an abort finishes the pairs in flight, saves, and --resume completes the rest', async () => {
    const s = await setup({ persons: 4 });
    const controller = new AbortController();
    const { pipeline, stats } = testPipeline(10);
    let done = 0;
    let startedAtAbort = 0;
    const summary = await runBatch(s.plan(), pipeline, {
      concurrency: 2,
      signal: controller.signal,
      version: 't',
      onEvent: (e) => {
        if (e.type === 'pair-done' && ++done === 3) {
          startedAtAbort = stats.started;
          controller.abort();
        }
      },
    });
    expect(summary.interrupted).toBe(true);
    expect(summary.exitCode).toBe(130);
    expect(startedAtAbort).toBeLessThan(12);
    // Every render that had started finished and was kept; none started after the abort.
    expect(stats.started).toBe(startedAtAbort);
    expect(summary.done).toBe(startedAtAbort);
    const doc = readDoc(path.join(s.out, 'results.json'));
    expect(doc).toMatchObject({ complete: false, interrupted: true });
    const pending = doc.results.filter((r) => r.status === 'pending');
    expect(pending.length).toBe(12 - summary.done);
    expect(pending[0].error!.code).toBe('INTERRUPTED');
    expect(existsSync(path.join(s.out, 'index.html'))).toBe(true);
    const rest = await runBatch(s.plan(), testPipeline().pipeline, { concurrency: 2, resume: true, version: 't' });
    expect(rest).toMatchObject({ done: 12, resumed: summary.done, rendered: 12 - summary.done, exitCode: 0 });
  });

  it('after a kill, resume trusts the journal for pairs finished since the last save', async () => {
    const s = await setup();
    const plan = s.plan();
    // Saves rarely: the journal must carry the pairs.
    await runBatch(plan, testPipeline().pipeline, { concurrency: 1, version: 't', save: { pairs: 1000, ms: 1e9 } });
    const file = path.join(s.out, 'results.json');
    const doc = readDoc(file);
    // Make it look like a run killed after its first save: results.json all pending, the journal holding the done ones.
    writeFileSync(journalPath(file), `${doc.results.slice(0, 5).map((r) => JSON.stringify(r)).join('\n')}\n{"person":"torn`);
    writeFileSync(file, JSON.stringify({ ...doc, complete: false, results: doc.results.map((r) => ({ ...r, ok: false, status: 'pending' })) }));
    const again = testPipeline();
    const summary = await runBatch(plan, again.pipeline, { concurrency: 2, resume: true, version: 't' });
    expect(summary).toMatchObject({ done: 9, resumed: 5, rendered: 4 });
    expect(again.stats.renders).toBe(4);
  });

  it('--resume redoes a kept output that was cut short or overwritten, and keeps the whole ones', async () => {
    const s = await setup();
    await runBatch(s.plan(), testPipeline().pipeline, { concurrency: 2, version: 't' });
    const written = readDoc(path.join(s.out, 'results.json')).results;
    for (const r of written) {
      const bytes = readFileSync(path.join(s.out, r.output));
      expect({ bytes: r.outputBytes, sha256: r.outputSha256 }).toEqual({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    const cut = path.join(s.out, 'person_0/g1.jpg');
    writeFileSync(cut, readFileSync(cut).subarray(0, 300)); // a kill mid-copy, a full disk: the header is still there
    const swapped = path.join(s.out, 'person_1/g2.jpg');
    const bytes = readFileSync(swapped);
    bytes[bytes.length >> 1] ^= 0xff; // same size, one byte changed: a decoder may not notice, the sha256 does
    writeFileSync(swapped, bytes);
    const again = testPipeline();
    const summary = await runBatch(s.plan(), again.pipeline, { concurrency: 2, resume: true, version: 't' });
    expect(summary).toMatchObject({ done: 9, resumed: 7, rendered: 2 });
    expect(again.stats.order.sort()).toEqual([`${s.persons[0].image}|${path.join(s.dir, 'g1.png')}`, `${s.persons[1].image}|${path.join(s.dir, 'g2.png')}`].sort());
    for (const f of [cut, swapped]) expect((await sharp(f, { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true })).info.width).toBe(48);

    // A record that carries no size and sha256 (an older run's) cannot vouch for its output.
    const file = path.join(s.out, 'results.json');
    const doc = readDoc(file);
    writeFileSync(file, JSON.stringify({ ...doc, results: doc.results.map((r) => (r.garment === 'g1' ? { ...r, outputBytes: undefined, outputSha256: undefined } : r)) }));
    const third = await runBatch(s.plan(), testPipeline().pipeline, { concurrency: 2, resume: true, version: 't' });
    expect(third).toMatchObject({ done: 9, resumed: 6, rendered: 3 });
  });

  it('planCatalog (--dry-run, runCatalog) warns of each damaged output that --resume renders again', async () => {
    const s = await setup({ persons: 2 });
    writeFileSync(path.join(s.dir, 'c.json'), JSON.stringify([{ id: 'tee', type: 'tshirt' }, { id: 'skirt', type: 'skirt' }]));
    const spec = { persons: s.persons.map((p) => p.image), catalog: path.join(s.dir, 'c.json'), out: s.out, output: { thumbnails: false } };
    const planned = await planCatalog(spec);
    await runBatch(planned.plan, testPipeline().pipeline, { concurrency: 1, prepared: planned.prepared });
    const cut = path.join(s.out, 'person_0/skirt.jpg');
    const size = readFileSync(cut).length;
    writeFileSync(cut, readFileSync(cut).subarray(0, 300));
    const warnings: string[] = [];
    const resumed = await planCatalog({ ...spec, resume: true }, { onEvent: (e) => e.type === 'warning' && warnings.push(e.message) });
    expect(warnings).toEqual([`person_0/skirt.jpg: it has 300 bytes, ${size} were written; rendered again`]);
    expect([...resumed.prepared.skip].sort()).toEqual(['person_0/tee', 'person_1/skirt', 'person_1/tee']);
  });

  it('a person link loop named outright fails only its own pairs, saying what it is', async () => {
    const s = await setup({ persons: 2 });
    symlinkSync('loop.jpg', path.join(s.dir, 'loop.jpg'));
    const { persons } = await findPersons(['loop.jpg', ...s.persons.map((p) => p.image)], s.dir);
    const { pipeline, stats } = testPipeline();
    const summary = await runBatch(planBatch({ persons, garments: s.garments, outDir: s.out }), pipeline, { concurrency: 2, version: 't' });
    expect(summary).toMatchObject({ pairs: 9, done: 6, failed: 3, exitCode: 1 });
    const loop = readDoc(path.join(s.out, 'results.json')).results.filter((r) => !r.ok);
    expect(loop.map((r) => r.person)).toEqual(['loop', 'loop', 'loop']);
    expect(loop[0].error).toEqual({ code: 'BAD_INPUT', message: `${path.join(s.dir, 'loop.jpg')}: a symbolic link loop` });
    expect(stats.persons).toBe(2); // never handed to the pipeline
  });

  it('refuses an output folder it cannot write before any work', async () => {
    const s = await setup({ persons: 1 });
    writeFileSync(s.out, 'a file where the folder should be');
    const { pipeline, stats } = testPipeline();
    const err = (await runBatch(s.plan(), pipeline, { concurrency: 1, version: 't' }).catch((e: unknown) => e)) as TryonError;
    expect(err).toBeInstanceOf(TryonError);
    expect(err).toMatchObject({ code: 'BAD_OPTION', message: `--out ${s.out}: is a file, not a folder` });
    expect(stats.persons + stats.garments + stats.templates + stats.renders).toBe(0);
  });

  it('renews the pipeline between garment columns when memory is over the limit, and goes on with the new one', async () => {
    const s = await setup({ persons: 2 });
    const first = testPipeline();
    const fresh: ReturnType<typeof testPipeline>[] = [];
    const summary = await runBatch(s.plan(), first.pipeline, {
      concurrency: 2,
      version: 't',
      rssLimit: 1, // always over; renewed again only after more growth than a process can make here
      rssRegrowth: 1e15,
      renew: async () => {
        fresh.push(testPipeline());
        return fresh.at(-1)!.pipeline;
      },
    });
    expect(summary).toMatchObject({ done: 6, exitCode: 0, renewals: 1 });
    expect(first.stats.renders).toBe(2); // the first column
    expect(fresh.map((f) => f.stats.renders)).toEqual([4]); // the rest, on the new pipeline
    const never = await runBatch(s.plan(), testPipeline().pipeline, { concurrency: 2, version: 't', renew: async () => testPipeline().pipeline, rssLimit: 1e15 });
    expect(never.renewals).toBe(0);
  });

  it('removes temp files a killed run left for its own outputs, not those of another shard', async () => {
    const s = await setup({ persons: 1 });
    mkdirSync(path.join(s.out, 'person_0'), { recursive: true });
    const own = path.join(s.out, 'person_0', '.g1.jpg.0123456789ab.tmp');
    const ownResults = path.join(s.out, '.results.json.0123456789ab.tmp');
    const other = path.join(s.out, 'person_0', '.someone-else.jpg.0123456789ab.tmp');
    for (const f of [own, ownResults, other]) writeFileSync(f, 'half a file');
    await runBatch(s.plan(), testPipeline().pipeline, { concurrency: 1, version: 't' });
    expect([own, ownResults, other].map((f) => existsSync(f))).toEqual([false, false, true]);
  });

  it('saves results.json periodically during the run', async () => {
    const s = await setup({ persons: 4 });
    const file = path.join(s.out, 'results.json');
    const seen: number[] = [];
    await runBatch(s.plan(), testPipeline(5).pipeline, {
      concurrency: 1,
      version: 't',
      save: { pairs: 3, ms: 1e9 },
      onEvent: (e) => {
        if (e.type === 'pair-done') seen.push(readDoc(file).results.filter((r) => r.status === 'done').length);
      },
    });
    // Before the first pair finishes the file exists with everything pending; then it trails by < 3 pairs (+1 save in flight).
    seen.forEach((saved, i) => expect(i + 1 - saved).toBeLessThanOrEqual(4));
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(9);
  });

  it('renders garment by garment, each column with one copy of the garment analysis', async () => {
    const s = await setup({ persons: 4 });
    const { pipeline, stats } = testPipeline();
    await runBatch(s.plan(), pipeline, { concurrency: 1, version: 't' });
    // One object per garment, used by every person: the renderer's per-garment texture cache
    // is reused down the column and dropped with the copy afterwards.
    expect([...stats.garmentObjects.values()]).toEqual([4, 4, 4]);
    const garmentsInOrder = stats.order.map((k) => k.split('|')[1]);
    expect(garmentsInOrder.filter((g, i) => g !== garmentsInOrder[i - 1])).toHaveLength(3);
  });

  it('keeps memory bounded: garments and persons in blocks under the budgets', async () => {
    const s = await setup({ persons: 5 });
    const { pipeline, stats } = testPipeline(2);
    // Test garments are 40x40 RGB + mask = 6400 bytes (the template 1024), persons 48x64 RGB = 9216 bytes:
    // these budgets make one garment per block and two persons per block.
    const summary = await runBatch(s.plan(), pipeline, { concurrency: 1, version: 't', garmentMemory: 5000, personMemory: 10000 });
    expect(summary).toMatchObject({ done: 15, exitCode: 0 });
    expect(stats.garments + stats.templates).toBe(3); // each garment analysed once
    expect(stats.persons).toBe(15); // once per garment block (the real pipeline's cache makes repeats a file read)
    expect(stats.maxAlive).toBe(2);
    // One object per garment in every tile (no copies: renderers bound what they keep of a garment),
    // each forgotten once its block is done, templates included.
    expect(stats.garmentObjects.size).toBe(3);
    expect(stats.forgottenGarments.sort()).toEqual(['g1.png', 'g2.png', 'ttshirt#1e90ff'].map((k) => (k.endsWith('.png') ? path.join(s.dir, k) : k)).sort());
  });
});

describe('index.html', () => {
  it('escapes every text and merges shards', () => {
    const base = { tool: 'tryon', version: '1', startedAt: '', complete: true, interrupted: false, options: {} as never, summary: {} as never };
    const persons = [{ name: 'a', image: '/x/<a>.jpg', thumb: null }];
    const garments = [{ name: 'g', id: '"><script>alert(1)</script>', type: 'top', category: 'upper', image: null, color: null, size: null, label: null, thumb: null }, { name: 'h', id: 'h', type: 'top', category: 'upper', image: null, color: null, size: null, label: null, thumb: null }];
    const rec = (garment: string, ok: boolean) => ({ person: 'a', garment, output: `a/${garment}.jpg`, ok, status: ok ? 'done' : 'failed', error: ok ? null : { code: 'BAD_INPUT', message: '<b>bad</b> & worse' }, ms: {}, digest: '', thumb: null }) as const;
    const html = renderIndexHtml([
      { ...base, updatedAt: '1', shard: { index: 1, count: 2 }, persons, garments, results: [rec('g', false)] } as ResultsDoc,
      { ...base, updatedAt: '2', shard: { index: 2, count: 2 }, persons, garments, results: [rec('h', true)] } as ResultsDoc,
    ]);
    expect(html).not.toMatch(/<script>|<b>bad/);
    expect(html).toContain(esc('"><script>alert(1)</script>'));
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt; &amp; worse');
    expect(html).toContain('href="a/h.jpg"');
    expect(html).toContain('shards 1/2, 2/2');
    expect(html).toContain('<b>1</b> done');
  });
});


