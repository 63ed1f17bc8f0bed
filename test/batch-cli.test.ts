/**
 * `tryon batch` end to end, as a user runs it (node bin/tryon.js), through the REAL pipeline
 * on a few of the shared photographs and built-in templates: a CSV catalog with a corrupt
 * person photo among the persons, kill -9 then --resume, shards that cover the batch exactly
 * once, and manifest errors with exit code 2. Kept small (a handful of pairs) for the time budget.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ResultsDoc } from '../src/batch/results.ts';
import { catalog, garmentPath, HAVE_SHARED, personPhotos, PROJECT_ROOT } from './fixtures.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'tryon.js');
const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'tryon-batch-cli-'));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onLine` sees each stdout line as it comes and may kill the process. */
function tryon(args: string[], onLine?: (line: string, kill: (s: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) onLine?.(l, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const events = (stdout: string): Record<string, unknown>[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const readDoc = (file: string): ResultsDoc => JSON.parse(readFileSync(file, 'utf8')) as ResultsDoc;

/** Every output image under `out` (not thumbnails) decodes whole. */
async function expectOutputsWhole(out: string, expected: string[]): Promise<void> {
  for (const rel of expected) {
    const file = path.join(out, rel);
    expect(existsSync(file), rel).toBe(true);
    const { info } = await sharp(file, { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBeGreaterThan(100);
  }
  for (const dir of readdirSync(out, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.'))) {
    expect(readdirSync(path.join(out, dir.name)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }
}

describe.skipIf(!HAVE_SHARED)('tryon batch (real pipeline)', () => {
  const photos = personPhotos();
  const jpegs = photos.filter((p) => p.endsWith('.jpg'));
  const uppers = catalog().filter((g) => g.category === 'upper');

  it('a CSV catalog: a corrupt person photo fails only its pairs, with the reason', async () => {
    const dir = tmp();
    const broken = path.join(dir, 'broken.jpg');
    writeFileSync(broken, readFileSync(jpegs[0]).subarray(0, 3000)); // a JPEG cut short
    writeFileSync(path.join(dir, 'notes.txt'), 'not a photo');
    copyFileSync(garmentPath(uppers[0]), path.join(dir, 'tee photo.jpg'));
    writeFileSync(
      path.join(dir, 'catalog.csv'),
      `id,image,type,color,size,name\n${uppers[0].id},tee photo.jpg,${uppers[0].type},,,"Tee, from a photo"\nnavy-skirt,,skirt,#1f2a44,L,\n`,
    );
    const out = path.join(dir, 'out');
    const run = await tryon(['batch', '--persons', jpegs[1], broken, path.join(dir, '*.txt'), '--catalog', path.join(dir, 'catalog.csv'), '--out', out, '--json', '--no-cache', '--concurrency', '2']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('notes.txt: not an image, skipped');
    const ev = events(run.stdout);
    expect(ev[0]).toMatchObject({ type: 'start', pairs: 4, toRender: 4 });
    expect(ev.at(-1)).toMatchObject({ type: 'summary', pairs: 4, done: 2, failed: 2, exitCode: 1 });
    const failed = ev.filter((e) => e.type === 'pair-failed');
    expect(failed.map((e) => e.person)).toEqual(['broken', 'broken']);
    expect(failed[0]).toMatchObject({ error: { code: 'BAD_INPUT', stage: 'person' } });
    expect(String((failed[0].error as { message: string }).message)).toMatch(/broken\.jpg: truncated or corrupt jpeg/);

    const doc = readDoc(path.join(out, 'results.json'));
    expect(doc.results).toHaveLength(4);
    const person = path.basename(jpegs[1], '.jpg');
    await expectOutputsWhole(out, [`${person}/${uppers[0].id}.jpg`, `${person}/navy-skirt.jpg`]);
    const ok = doc.results.find((r) => r.garment === 'navy-skirt' && r.ok)!;
    for (const k of ['decode', 'personAnalysis', 'garmentAnalysis', 'warp', 'composite', 'encode'] as const) expect(ok.ms[k], k).toBeGreaterThanOrEqual(0);
    // The result is the person photo with a garment in it: same size, changed but not replaced.
    const [a, b] = await Promise.all([jpegs[1], path.join(out, ok.output)].map((f) => sharp(f).resize(48, 64, { fit: 'fill' }).raw().toBuffer()));
    let changed = 0;
    for (let i = 0; i < a.length; i += 3) if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 60) changed++;
    expect(changed / (a.length / 3)).toBeGreaterThan(0.03);
    expect(changed / (a.length / 3)).toBeLessThan(0.6);
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain('Tee, from a photo');
    expect(html).toContain('BAD_INPUT');
    expect(html).toContain(`src=".thumbs/${person}/navy-skirt.jpg"`);
  });

  it('kill -9 mid-run, then --resume: every output whole and results.json complete', async () => {
    const dir = tmp();
    const cache = path.join(dir, 'cache');
    const entries = [
      { id: 'tee', type: 'tshirt', color: '#d04040' },
      { id: 'jeans', type: 'jeans' },
      { id: 'dress', type: 'dress', color: '#305030' },
      { id: 'photo', image: garmentPath(uppers[1]), type: uppers[1].type },
    ];
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify(entries));
    const out = path.join(dir, 'out');
    const args = ['batch', '--persons', jpegs[2], jpegs[3], '--catalog', path.join(dir, 'c.json'), '--out', out, '--cache-dir', cache, '--concurrency', '1'];
    let seen = 0;
    const killed = await tryon([...args, '--json'], (line, kill) => {
      if (JSON.parse(line).type === 'pair-done' && ++seen === 3) kill('SIGKILL');
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(out, 'results.json'))).toBe(true);

    const resumed = await tryon([...args, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = events(resumed.stdout).at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', pairs: 8, done: 8, failed: 0 });
    expect(summary.resumed as number).toBeGreaterThanOrEqual(3); // the journal kept what was done before the kill
    expect((summary.resumed as number) + (summary.rendered as number)).toBe(8);
    const doc = readDoc(path.join(out, 'results.json'));
    expect(doc.complete).toBe(true);
    expect(doc.results.filter((r) => r.ok)).toHaveLength(8);
    await expectOutputsWhole(out, doc.results.map((r) => r.output));
    expect(readdirSync(out).filter((n) => n.endsWith('.journal') || n.endsWith('.tmp'))).toEqual([]);
  });

  it('shards 1/3, 2/3 and 3/3 cover every pair exactly once, and one index merges them', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ garments: [{ id: 'top', type: 'top', color: '#e0c040' }, { id: 'shorts', type: 'shorts' }] }));
    const out = path.join(dir, 'out');
    const base = ['batch', '--persons', jpegs[4], jpegs[5], '--catalog', path.join(dir, 'c.json'), '--out', out, '--json', '--concurrency', '2', '--no-thumbnails', '--cache-dir', path.join(dir, 'cache')];
    const keys: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const run = await tryon([...base, '--shard', shard]);
      expect(run.code, run.stderr).toBe(0);
      const [i, n] = shard.split('/');
      const doc = readDoc(path.join(out, `results.shard-${i}-of-${n}.json`));
      keys.push(...doc.results.map((r) => `${r.person}/${r.garment}`));
    }
    const all = [jpegs[4], jpegs[5]].flatMap((p) => ['top', 'shorts'].map((g) => `${path.basename(p, '.jpg')}/${g}`));
    expect(keys.sort()).toEqual(all.sort());
    await expectOutputsWhole(out, all.map((k) => `${k}.jpg`));
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain('<b>4</b> done');
    expect(html).toContain('shards 1/3, 2/3, 3/3');
  });

  it('--workers 2 splits the pairs over two processes and merges their results into one file', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify([{ id: 'tank', type: 'tank', color: '#40a0a0' }, { id: 'skirt', type: 'skirt' }]));
    const out = path.join(dir, 'out');
    const run = await tryon(['batch', '--persons', jpegs[6], jpegs[7], '--catalog', path.join(dir, 'c.json'), '--out', out, '--workers', '2', '--json', '--cache-dir', path.join(dir, 'cache')]);
    expect(run.code, run.stderr).toBe(0);
    const ev = events(run.stdout);
    expect(ev.filter((e) => e.type === 'pair-done').map((e) => e.finished)).toEqual([1, 2, 3, 4]);
    expect(ev.at(-1)).toMatchObject({ type: 'summary', pairs: 4, done: 4, rendered: 4 });
    const doc = readDoc(path.join(out, 'results.json'));
    expect(doc).toMatchObject({ complete: true, summary: { done: 4 } });
    expect(readdirSync(out).filter((n) => n.includes('worker'))).toEqual([]);
    await expectOutputsWhole(out, doc.results.map((r) => r.output));
  });

  it('a manifest with a bad colour, an unknown type or a missing image: exit 2 naming the entry', async () => {
    const dir = tmp();
    const cases: [object[], RegExp][] = [
      [[{ id: 'a', type: 'tshirt' }, { id: 'b', type: 'tshirt', color: 'navy' }], /c\.json \[1\] \(id "b"\): Expected hex colour .* for color but received "navy"/],
      [[{ id: 'a', type: 'cape' }], /c\.json \[0\] \(id "a"\): Expected one of tshirt, polo, .*dress for type but received "cape"/],
      [[{ id: 'a', type: 'top', image: 'nowhere.jpg' }], /c\.json \[0\] \(id "a"\), field "image": file not found: .*nowhere\.jpg/],
    ];
    for (const [entries, message] of cases) {
      writeFileSync(path.join(dir, 'c.json'), JSON.stringify(entries));
      const run = await tryon(['batch', '--persons', jpegs[0], '--catalog', path.join(dir, 'c.json'), '--out', path.join(dir, 'out')]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/\[BAD_MANIFEST\]/);
      expect(run.stderr).toMatch(message);
    }
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify([{ id: 'a', type: 'top' }]));
    const none = await tryon(['batch', '--persons', path.join(dir, '*.jpg'), '--catalog', path.join(dir, 'c.json'), '--out', path.join(dir, 'out')]);
    expect(none.code).toBe(2);
  });
});
