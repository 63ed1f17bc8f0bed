/**
 * Batch benchmark: the shared fixture batch (28 persons x 42 garments = 1176 pairs, or a
 * subset) through the real pipeline with a cold analysis cache, as `tryon batch` runs it.
 * Prints pairs per second, per-stage medians, peak RSS (and RSS along the run, to show it does
 * not grow with the catalog), and writes the same as JSON to bench-results/.
 *
 *   npm run bench                                     # the full batch
 *   npm run bench -- --persons 4 --garments 6         # a quick subset
 *   npm run bench -- --concurrency 2 --format png --keep
 *
 * Speed is measured here, never in tests. Timings on a shared machine are noisy: compare runs
 * taken on the same machine at the same time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Tryon } from '../src/pipeline.ts';
import { loadManifest } from '../src/batch/manifest.ts';
import { findPersons } from '../src/batch/persons.ts';
import { planBatch } from '../src/batch/plan.ts';
import { runBatch } from '../src/batch/runner.ts';
import { readResultsDocs, type PairRecord, type StageTimes } from '../src/batch/results.ts';
import { PACKAGE_ROOT } from '../src/config.ts';
import { writeFileAtomic } from '../src/image/write.ts';
import type { OutputFormat } from '../src/types.ts';

// glibc gives every thread that allocates its own malloc arenas, and keeps freed large blocks
// for reuse; with render worker threads passing large buffers around, freed memory stays spread
// over the arenas and RSS creeps up (full fixture batch: peak 1.15 GB with glibc's defaults).
// Two arenas, and blocks of 4 MB or more (textures, planes) mapped on their own so they go
// back to the system when freed: 0.91 GB at the same speed. These variables are read when the
// process starts, so the bench runs itself again with them set (explicit values are kept:
// MALLOC_ARENA_MAX=16 measures glibc's default on 2 cores).
const MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '4194304' };
if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined && process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...MALLOC_ENV } });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  options: {
    persons: { type: 'string' },
    garments: { type: 'string' },
    concurrency: { type: 'string' },
    engine: { type: 'string' },
    threads: { type: 'string' },
    format: { type: 'string', default: 'jpeg' },
    fixtures: { type: 'string', default: process.env.TRYON_SHARED_FIXTURES ?? path.resolve(PACKAGE_ROOT, '..', 'shared', 'fixtures') },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    thumbnails: { type: 'boolean', default: true },
    'no-thumbnails': { type: 'boolean', default: false },
  },
});

function median(xs: number[]): number | null {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return Math.round((v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2) * 10) / 10;
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

async function main(): Promise<void> {
  const fixtures = values.fixtures!;
  const manifest = await loadManifest(path.join(fixtures, 'catalog.json'));
  const found = await findPersons([path.join(fixtures, 'persons')]);
  const nP = values.persons ? Number(values.persons) : found.persons.length;
  const nG = values.garments ? Number(values.garments) : manifest.garments.length;
  // A spread of the catalog (every k-th entry) so a subset still has upper, lower and dress pieces.
  const pick = <T>(xs: T[], n: number): T[] => (n >= xs.length ? xs : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]));
  const persons = pick(found.persons, nP);
  const garments = pick(manifest.garments, nG);

  const out = values.out ? path.resolve(values.out) : mkdtempSync(path.join(os.tmpdir(), 'tryon-bench-out-'));
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'tryon-bench-cache-')); // cold cache
  const tLoad = performance.now();
  const render = { ...(values.engine ? { engine: values.engine as 'js' | 'onnx' } : {}), ...(values.threads ? { threads: Number(values.threads) } : {}) };
  const options = { cacheDir, ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}), render };
  let tryon = await Tryon.create(options);
  const loadMs = performance.now() - tLoad;
  const plan = planBatch({
    persons,
    garments,
    outDir: out,
    options: { format: values.format as OutputFormat, thumbnails: values.thumbnails && !values['no-thumbnails'] },
  });

  // RSS along the run: sampled every 100 ms, reported at each quarter of the pairs.
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
  const rssAt: Record<string, number> = {};
  const memoryAt: Record<string, { heapUsed: number; external: number; arrayBuffers: number }> = {};
  const workersAt: Record<string, { heapUsed: number; external: number; arrayBuffers: number }[]> = {};
  const quarters = [0.25, 0.5, 0.75, 1].map((q) => Math.max(1, Math.round(q * plan.pairs.length)));
  process.stderr.write(`bench: ${persons.length} persons x ${garments.length} garments = ${plan.pairs.length} pairs, concurrency ${tryon.budget.concurrency} (intra-op ${tryon.budget.intraOp}, sharp ${tryon.budget.sharp}), provider ${tryon.registry.provider}, render ${tryon.renderer.engine} on ${tryon.renderer.threads} worker threads, models loaded in ${Math.round(loadMs)} ms\n`);

  const summary = await runBatch(plan, tryon, {
    concurrency: tryon.budget.concurrency,
    settings: { person: tryon.config.person, garment: tryon.config.garment },
    renew: async () => {
      await tryon.close();
      tryon = await Tryon.create(options);
      return tryon;
    },
    onEvent: (e) => {
      if (e.type === 'pair-done' || e.type === 'pair-failed') {
        const i = quarters.indexOf(e.finished);
        if (i >= 0) {
          const m = process.memoryUsage();
          rssAt[`${[25, 50, 75, 100][i]}%`] = mb(m.rss);
          // What of it is this thread's JavaScript heap and its buffers (the rest: native, workers).
          const at = `${[25, 50, 75, 100][i]}%`;
          memoryAt[at] = { heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
          // A worker that stopped (its pairs fail and are reported) leaves this reading out,
          // rather than ending the bench with an unhandled rejection.
          void tryon
            .renderMemory()
            .then((ws) => (workersAt[at] = ws.map((w) => ({ heapUsed: mb(w.heapUsed), external: mb(w.external), arrayBuffers: mb(w.arrayBuffers) }))))
            .catch((e: Error) => process.stderr.write(`  no worker memory at ${at}: ${e.message}\n`));
        }
        if (e.finished % 50 === 0) process.stderr.write(`  ${e.finished}/${e.toRender}\n`);
      }
      if (e.type === 'pair-failed') process.stderr.write(`  failed ${e.person} x ${e.garment}: [${e.error.code}] ${e.error.message}\n`);
    },
  });
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  await tryon.close();

  const records: PairRecord[] = (await readResultsDocs(out))[0]?.results ?? [];
  const done = records.filter((r) => r.ok);
  const perPair = (k: keyof StageTimes): number | null => median(done.map((r) => r.ms[k] as number));
  // Analyses are shared by a row / column: one time per person and per garment.
  const perPerson = new Map(records.map((r) => [r.person, r.ms]));
  const perGarment = new Map(records.map((r) => [r.garment, r.ms]));

  const result = {
    date: new Date().toISOString(),
    host: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? '', totalMemMb: mb(os.totalmem()), node: process.version, malloc: { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? null, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? null } },
    batch: { persons: persons.length, garments: garments.length, pairs: plan.pairs.length, format: plan.options.format, thumbnails: plan.options.thumbnails },
    budget: tryon.budget,
    provider: tryon.registry.provider,
    renderer: tryon.renderer,
    modelLoadMs: Math.round(loadMs),
    elapsedMs: summary.elapsedMs,
    pairsPerSecond: summary.pairsPerSecond,
    done: summary.done,
    failed: summary.failed,
    medianMs: {
      decode: median([...perPerson.values()].map((m) => m.decode as number)),
      personAnalysis: median([...perPerson.values()].map((m) => m.personAnalysis as number)),
      garmentAnalysis: median([...perGarment.values()].map((m) => m.garmentAnalysis as number)),
      fit: perPair('fit'),
      texture: perPair('texture'),
      masks: perPair('masks'),
      warp: perPair('warp'),
      composite: perPair('composite'),
      render: perPair('render'),
      encode: perPair('encode'),
      write: perPair('write'),
      pairTotal: perPair('total'),
    },
    peakRssMb: mb(peakRss),
    pipelineRenewals: summary.renewals ?? 0,
    rssMbAt: rssAt,
    mainThreadMbAt: memoryAt,
    renderWorkersMbAt: workersAt,
    out: values.keep ? out : null,
  };
  const json = JSON.stringify(result, null, 2);
  const dir = path.join(PACKAGE_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `batch-${result.date.replace(/[:.]/g, '-')}.json`);
  await writeFileAtomic(file, `${json}\n`);

  const m = result.medianMs;
  process.stdout.write(
    `\n${result.batch.pairs} pairs in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${summary.pairsPerSecond} pairs/s (${summary.failed} failed)\n` +
      `medians (ms): decode ${m.decode}, person analysis ${m.personAnalysis}, garment analysis ${m.garmentAnalysis}, ` +
      `fit ${m.fit}, texture ${m.texture}, masks ${m.masks}, warp ${m.warp}, composite ${m.composite}, encode ${m.encode}, write ${m.write}, pair total ${m.pairTotal}\n` +
      `peak RSS ${result.peakRssMb} MB (pipeline renewed ${result.pipelineRenewals} times); RSS at ${Object.entries(rssAt).map(([k, v]) => `${k} ${v} MB`).join(', ')}\n` +
      `written to ${path.relative(process.cwd(), file)}\n${json}\n`,
  );
  if (!values.keep) rmSync(out, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
  process.exit(summary.failed > 0 ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
