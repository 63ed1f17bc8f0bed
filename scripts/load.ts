/**
 * Bounded load test of `tryon serve`: starts the server on loopback over the real pipeline,
 * fires a fixed number of try-on requests with autocannon from more connections than the
 * server admits, and reports throughput, p50/p99 latency, statuses and errors, and whether the
 * queue held its bound (peak queue depth from /api/health, 503s with Retry-After beyond it).
 *
 *   npm run load                                        # 40 requests, 8 connections, concurrency 2, queue 2
 *   npm run load -- --requests 100 --connections 16 --concurrency 2 --queue 4
 *
 * Every request uses the same person photo in a template garment of a different colour, as a
 * shop's colour picker would: the person is analysed once (pipeline cache), each colour is
 * rendered. Timings on a shared machine are noisy: compare runs taken at the same time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { PACKAGE_ROOT } from '../src/config.ts';
import { Tryon } from '../src/pipeline.ts';
import { buildServer } from '../src/serve/app.ts';
import { GARMENT_TYPES } from '../src/types.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '40' },
    connections: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '2' },
    queue: { type: 'string', default: '2' },
    person: { type: 'string' },
    type: { type: 'string', default: 'tshirt' },
  },
});

const requests = Number(values.requests);
const connections = Number(values.connections);
const concurrency = Number(values.concurrency);
const queue = Number(values.queue);
if (![requests, connections, concurrency].every((n) => Number.isInteger(n) && n >= 1) || !Number.isInteger(queue) || queue < 0) {
  throw new Error('--requests, --connections, --concurrency must be integers >= 1 and --queue >= 0');
}
if (!(values.type in GARMENT_TYPES)) throw new Error(`--type must be one of ${Object.keys(GARMENT_TYPES).join(', ')}`);

const fixtures = process.env.TRYON_SHARED_FIXTURES ?? path.resolve(PACKAGE_ROOT, '..', 'shared', 'fixtures');
const personFile = values.person ?? path.join(fixtures, 'persons', '01008_00.jpg');
let person: Buffer;
try {
  person = readFileSync(personFile);
} catch {
  console.error(`load: no person photo at ${personFile}; pass --person <photo> (the shared fixtures are absent).`);
  process.exit(2);
}

const boundary = 'tryonloadboundary';
function body(color: string): Buffer {
  const field = (name: string, value: string): string => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="person_image"; filename="person.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    person,
    Buffer.from(`\r\n${field('clothing_name', 'load test')}${field('clothing_type', values.type)}${field('clothing_color', color)}${field('clothing_size', 'M')}--${boundary}--\r\n`),
  ]);
}
let counter = 0;
/** A new colour each time, so no request is answered from the result cache. */
const nextColor = (): string => `#${((counter++ * 2654435761) >>> 8 & 0xffffff).toString(16).padStart(6, '0')}`;

const pipeline = await Tryon.create({ cacheDir: null, concurrency });
const app = buildServer(pipeline, { host: '127.0.0.1', port: 0, concurrency, queue, rateLimit: 'off' });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };

// Warm-up outside the measurement: loads the models and analyses the person once.
const warm = performance.now();
const warmRes = await fetch(`${url}/api/virtual-tryon`, { method: 'POST', headers, body: body(nextColor()) });
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
const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);

const instance = autocannon({
  url: `${url}/api/virtual-tryon`,
  connections,
  amount: requests,
  timeout: 120,
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => ({ ...request, method: 'POST', headers, body: body(nextColor()) }),
    },
  ],
});
instance.on('response', (_client, status, _bytes, ms) => (status === 200 ? okLatencies : busyLatencies).push(ms));
const result = await new Promise<Result>((resolve) => instance.on('done', resolve));
clearInterval(poll);
clearInterval(rssTimer);
loopDelay.disable();

const pct = (xs: number[], p: number): string => {
  if (!xs.length) return '-';
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(0);
};
const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]));
const ok = statuses['200'] ?? 0;
console.log(`\ntryon serve load: ${requests} requests, ${connections} connections, concurrency ${concurrency}, queue ${queue}`);
console.log(`  duration        ${result.duration.toFixed(1)} s`);
console.log(`  throughput      ${(ok / result.duration).toFixed(2)} try-ons/s completed (${(requests / result.duration).toFixed(2)} answers/s)`);
console.log(`  latency 200     p50 ${pct(okLatencies, 50)} ms, p99 ${pct(okLatencies, 99)} ms (n=${okLatencies.length})`);
console.log(`  latency 503     p50 ${pct(busyLatencies, 50)} ms, p99 ${pct(busyLatencies, 99)} ms (n=${busyLatencies.length})`);
console.log(`  latency all     p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (autocannon)`);
console.log(`  statuses        ${JSON.stringify(statuses)} (${okLatencies.length + busyLatencies.length} answers, ${result.requests.total} requests counted by autocannon)`);
console.log(`  errors          ${result.errors} (timeouts ${result.timeouts})`);
console.log(`  queue           peak depth ${peakDepth} (limit ${queue}), peak admitted ${peakAdmitted} (limit ${concurrency + queue})`);
console.log(`  event loop      delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`);
console.log(`  rss             ${(rssBefore / 1e6).toFixed(0)} MB before, ${(rssPeak / 1e6).toFixed(0)} MB peak`);
const bounded = peakAdmitted <= concurrency + queue && (connections <= concurrency + queue || (statuses['503'] ?? 0) > 0);
console.log(`  queue bound     ${bounded ? 'held' : 'VIOLATED'}`);

await app.close();
await pipeline.close();
process.exit(bounded && result.errors === 0 ? 0 : 1);
