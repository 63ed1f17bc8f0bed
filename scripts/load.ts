/**
 * Bounded load test of `tryon serve`: starts the server on loopback over the real pipeline,
 * fires a fixed number of try-on requests with autocannon from more connections than the
 * server admits, and reports throughput, p50/p99 latency, statuses and errors, whether the
 * queue held its bound (peak queue depth from /api/health, 503s with Retry-After beyond it),
 * and whether memory plateaus (RSS after the first `--rss-at` answers against RSS at the end).
 *
 *   npm run load                                        # 40 requests, 8 connections, concurrency 2, queue 2
 *   npm run load -- --requests 100 --connections 16 --concurrency 2 --queue 4
 *   npm run load -- --requests 500 --persons 20 --connections 4 --rss-at 100   # the memory plateau
 *
 * Every request uses a person photo (one, or `--persons N` fixture photos in turn) in a
 * template garment of a colour never used before, as a shop's colour picker would: each
 * person is analysed once (pipeline cache), each colour is a new garment analysis and a new
 * render, so the analysis caches and the result store fill up to their byte bounds.
 * Like `npm run bench`, it re-runs itself with MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4194304
 * on Linux (the settings the README asks for in production); explicit values are kept.
 * Timings on a shared machine are noisy: compare runs taken at the same time.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { PACKAGE_ROOT } from '../src/config.ts';
import { Tryon } from '../src/pipeline.ts';
import { buildServer } from '../src/serve/app.ts';
import { resolveServeOptions } from '../src/serve/options.ts';
import { GARMENT_TYPES } from '../src/types.ts';

const MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '4194304' };
if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined && process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...MALLOC_ENV } });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '40' },
    connections: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '2' },
    queue: { type: 'string', default: '2' },
    person: { type: 'string' },
    persons: { type: 'string', default: '1' },
    'rss-at': { type: 'string' },
    type: { type: 'string', default: 'tshirt' },
  },
});

const requests = Number(values.requests);
const connections = Number(values.connections);
const concurrency = Number(values.concurrency);
const queue = Number(values.queue);
const personCount = Number(values.persons);
const rssAt = Number(values['rss-at'] ?? Math.max(1, Math.round(requests / 5)));
if (![requests, connections, concurrency, personCount, rssAt].every((n) => Number.isInteger(n) && n >= 1) || !Number.isInteger(queue) || queue < 0) {
  throw new Error('--requests, --connections, --concurrency, --persons, --rss-at must be integers >= 1 and --queue >= 0');
}
if (!(values.type in GARMENT_TYPES)) throw new Error(`--type must be one of ${Object.keys(GARMENT_TYPES).join(', ')}`);

const fixtures = process.env.TRYON_SHARED_FIXTURES ?? path.resolve(PACKAGE_ROOT, '..', 'shared', 'fixtures');
function personFiles(): string[] {
  if (values.person) return [values.person];
  const dir = path.join(fixtures, 'persons');
  const names = readdirSync(dir).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort();
  // 01008_00.jpg first: the photo earlier runs of this script used alone.
  return names.sort((a, b) => Number(b === '01008_00.jpg') - Number(a === '01008_00.jpg')).slice(0, personCount).map((n) => path.join(dir, n));
}
let persons: Buffer[];
try {
  persons = personFiles().map((f) => readFileSync(f));
} catch {
  console.error(`load: no person photos under ${fixtures}; pass --person <photo> (the shared fixtures are absent).`);
  process.exit(2);
}
if (persons.length < personCount && !values.person) console.warn(`load: only ${persons.length} person photos found, not ${personCount}`);

const boundary = 'tryonloadboundary';
function body(person: Buffer, color: string): Buffer {
  const field = (name: string, value: string): string => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="person_image"; filename="person.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    person,
    Buffer.from(`\r\n${field('clothing_name', 'load test')}${field('clothing_type', values.type)}${field('clothing_color', color)}${field('clothing_size', 'M')}--${boundary}--\r\n`),
  ]);
}
let counter = 0;
/** The persons in turn, each time in a new colour, so no request is answered from the result cache. */
function nextBody(): Buffer {
  const n = counter++;
  return body(persons[n % persons.length], `#${((n * 2654435761) >>> 8 & 0xffffff).toString(16).padStart(6, '0')}`);
}

const pipeline = await Tryon.create({ cacheDir: null, concurrency });
const options = resolveServeOptions({ host: '127.0.0.1', port: 0, concurrency, queue, rateLimit: 'off' });
const app = buildServer(pipeline, options);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

const rssCold = process.memoryUsage().rss;
// Warm-up outside the measurement: loads the models and analyses the first person once.
const warm = performance.now();
const warmRes = await fetch(`${url}/api/virtual-tryon`, { method: 'POST', headers, body: nextBody() });
if (warmRes.status !== 200) throw new Error(`warm-up request failed: ${warmRes.status} ${await warmRes.text()}`);
console.log(`warm-up (model load + person analysis + one try-on): ${(performance.now() - warm).toFixed(0)} ms`);

let peakDepth = 0;
let peakAdmitted = 0;
const poll = setInterval(async () => {
  try {
    const h = (await (await fetch(`${url}/api/health`)).json()) as { queue: { depth: number; active: number } };
    peakDepth = Math.max(peakDepth, h.queue.depth);
    peakAdmitted = Math.max(peakAdmitted, h.queue.depth + h.queue.active);
  } catch {
    /* the poller must never fail the run */
  }
}, 50);

// The server shares its event loop with the pipeline's JavaScript: long synchronous stretches
// there delay every answer, 503s included. Measure them.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const okLatencies: number[] = [];
const busyLatencies: number[] = [];
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;
let rssAtCheckpoint = 0;
let answers = 0;
const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);

const instance = autocannon({
  url: `${url}/api/virtual-tryon`,
  connections,
  amount: requests,
  timeout: 120,
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => ({ ...request, method: 'POST', headers, body: nextBody() }),
    },
  ],
});
instance.on('response', (_client, status, _bytes, ms) => {
  (status === 200 ? okLatencies : busyLatencies).push(ms);
  if (++answers === rssAt) rssAtCheckpoint = process.memoryUsage().rss;
});
const result = await new Promise<Result>((resolve) => instance.on('done', resolve));
const rssEnd = process.memoryUsage().rss;
clearInterval(poll);
clearInterval(rssTimer);
loopDelay.disable();
const health = (await (await fetch(`${url}/api/health`)).json()) as { results_stored: number; results_bytes: number };
const cached = pipeline.cachedBytes;
const main = process.memoryUsage();
const workers = await pipeline.renderMemory();

const pct = (xs: number[], p: number): string => {
  if (!xs.length) return '-';
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(0);
};
const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]));
const ok = statuses['200'] ?? 0;
console.log(`\ntryon serve load: ${requests} requests over ${persons.length} person(s), ${connections} connections, concurrency ${concurrency}, queue ${queue}`);
console.log(`  malloc          MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(default)'} MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? '(default)'}`);
console.log(`  duration        ${result.duration.toFixed(1)} s`);
console.log(`  throughput      ${(ok / result.duration).toFixed(2)} try-ons/s completed (${(requests / result.duration).toFixed(2)} answers/s)`);
console.log(`  latency 200     p50 ${pct(okLatencies, 50)} ms, p99 ${pct(okLatencies, 99)} ms (n=${okLatencies.length})`);
console.log(`  latency 503     p50 ${pct(busyLatencies, 50)} ms, p99 ${pct(busyLatencies, 99)} ms (n=${busyLatencies.length})`);
console.log(`  latency all     p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (autocannon)`);
console.log(`  statuses        ${JSON.stringify(statuses)} (${okLatencies.length + busyLatencies.length} answers, ${result.requests.total} requests counted by autocannon)`);
console.log(`  errors          ${result.errors} (timeouts ${result.timeouts})`);
console.log(`  queue           peak depth ${peakDepth} (limit ${queue}), peak admitted ${peakAdmitted} (limit ${concurrency + queue})`);
console.log(`  event loop      delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`);
console.log(`  rss             ${mb(rssCold)} MB cold, ${mb(rssBefore)} MB after warm-up, ${mb(rssPeak)} MB peak`);
const growth = rssAtCheckpoint ? (rssEnd - rssAtCheckpoint) / rssAtCheckpoint : 0;
const plateau = rssAtCheckpoint > 0 && growth <= 0.2;
console.log(`  rss plateau     ${mb(rssAtCheckpoint)} MB after ${rssAt} answers, ${mb(rssEnd)} MB after ${answers} (${growth >= 0 ? '+' : ''}${(100 * growth).toFixed(1)} %): ${plateau ? 'held (within 20 %)' : 'NOT HELD'}`);
console.log(
  `  stores          results ${health.results_stored} (${mb(health.results_bytes)} MB of ${mb(options.maxResultBytes)}), ` +
    `analyses: persons ${mb(cached.persons)} MB of ${mb(pipeline.config.memoryCache.personBytes)}, garments ${mb(cached.garments)} MB of ${mb(pipeline.config.memoryCache.garmentBytes)}`,
);
console.log(
  `  heaps           main: heap ${mb(main.heapUsed)} MB, buffers ${mb(main.arrayBuffers)} MB; render workers: ` +
    `${workers.map((w) => `heap ${mb(w.heapUsed)} MB, buffers ${mb(w.arrayBuffers)} MB`).join('; ') || 'none'} (shared analysis planes count in every thread that holds them)`,
);
const bounded = peakAdmitted <= concurrency + queue && (connections <= concurrency + queue || (statuses['503'] ?? 0) > 0);
console.log(`  queue bound     ${bounded ? 'held' : 'VIOLATED'}`);

await app.close();
await pipeline.close();
process.exit(bounded && plateau && result.errors === 0 ? 0 : 1);
