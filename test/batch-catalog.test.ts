/**
 * runCatalog, the batch as one library call (no CLI): it finds the inputs, plans, runs and
 * reports through events; aborting its signal stops it cleanly with the pairs not run recorded
 * as INTERRUPTED; planCatalog plans without writing anything. Real pipeline on one of the
 * shared photographs and built-in templates (skipped when the photographs are absent).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCatalog, runCatalog, type CatalogEvent, type CatalogSpec } from '../src/batch/catalog.ts';
import type { ResultsDoc } from '../src/batch/results.ts';
import { TryonError } from '../src/errors.ts';
import { HAVE_SHARED, personPhotos } from './fixtures.ts';

function setup(): { dir: string; spec: CatalogSpec } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tryon-catalog-'));
  writeFileSync(path.join(dir, 'c.json'), JSON.stringify([{ id: 'tee', type: 'tshirt', color: '#c04040' }, { id: 'skirt', type: 'skirt' }, { id: 'tank', type: 'tank' }]));
  writeFileSync(path.join(dir, 'notes.txt'), 'not a photo');
  const photo = personPhotos().find((p) => p.endsWith('.jpg'))!;
  return {
    dir,
    spec: {
      persons: [photo, path.join(dir, 'notes.txt')],
      catalog: path.join(dir, 'c.json'),
      out: path.join(dir, 'out'),
      output: { thumbnails: false },
      pipeline: { cacheDir: null, concurrency: 1, render: { threads: 0 } },
    },
  };
}

describe.skipIf(!HAVE_SHARED)('runCatalog', () => {
  it('plans without writing, then runs and reports through events, warnings included', async () => {
    const { spec } = setup();
    const planned = await planCatalog(spec);
    expect(planned.plan.pairs.map((p) => p.garment.name)).toEqual(['tee', 'skirt', 'tank']);
    expect(existsSync(spec.out)).toBe(false);

    const events: CatalogEvent[] = [];
    const summary = await runCatalog(spec, { onEvent: (e) => events.push(e) });
    expect(summary).toMatchObject({ pairs: 3, done: 3, failed: 0, exitCode: 0, interrupted: false });
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual([expect.stringMatching(/notes\.txt: not an image, skipped/)]);
    expect(events.filter((e) => e.type === 'pair-done')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'summary', done: 3 });
    const doc = JSON.parse(readFileSync(summary.results, 'utf8')) as ResultsDoc;
    expect(doc.complete).toBe(true);
  });

  it('stops when its signal aborts: pairs in flight finish, the rest are recorded as INTERRUPTED', async () => {
    const { spec } = setup();
    const controller = new AbortController();
    const summary = await runCatalog(spec, { signal: controller.signal, onEvent: (e) => e.type === 'pair-done' && controller.abort() });
    expect(summary).toMatchObject({ interrupted: true, exitCode: 130, done: 1, pending: 2 });
    const doc = JSON.parse(readFileSync(summary.results, 'utf8')) as ResultsDoc;
    expect(doc.interrupted).toBe(true);
    expect(doc.results.filter((r) => r.status === 'pending').map((r) => r.error?.code)).toEqual(['INTERRUPTED', 'INTERRUPTED']);
  });

  it('refuses persons that give nothing to do before any work', async () => {
    const { dir, spec } = setup();
    const err = await runCatalog({ ...spec, persons: [path.join(dir, '*.jpg')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TryonError);
    expect((err as TryonError).code).toBe('BAD_OPTION');
    expect(existsSync(spec.out)).toBe(false);
  });
});
