/**
 * The server under faults and hostile input (issue #16): real servers on loopback ports over
 * the real pipeline, slow and stalled clients simulated with raw sockets. Every slow-client
 * case runs on short timeouts set through the server's options, so none waits long.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Tryon } from '../src/pipeline.ts';
import { expectErrorShape, health, multipartBody, raw, rawGet, rawPost, slowUpload, start, until, type Running, type SlowUpload } from './serve-helpers.ts';

const API_KEY = 'fault-key-0123456789';

let pipeline: Tryon;
/** A photo with no person in it: its try-on fails with 422 after analysis, which proves it was computed. */
let noPerson: Buffer;
const opened: Running[] = [];
const slow: SlowUpload[] = [];

async function server(options: Parameters<typeof start>[1] = {}): Promise<Running> {
  const s = await start(pipeline, options);
  opened.push(s);
  return s;
}

function slowClient(s: Running, declared = 100_000): SlowUpload {
  const client = slowUpload(s.port, {}, declared);
  slow.push(client);
  return client;
}

const fields = (boundary: string, person: Buffer) =>
  multipartBody(boundary, [
    { name: 'person_image', filename: 'p.jpg', type: 'image/jpeg', data: person },
    { name: 'clothing_name', data: 'Basic tee' },
    { name: 'clothing_type', data: 'tshirt' },
    { name: 'clothing_color', data: '#1e90ff' },
    { name: 'clothing_size', data: 'M' },
  ]);

beforeAll(async () => {
  pipeline = await Tryon.create({ cacheDir: null, concurrency: 2 });
  const rows = Buffer.alloc(320 * 400 * 3);
  for (let i = 0; i < rows.length; i += 3) {
    const y = Math.floor(i / 3 / 320);
    rows[i] = 120 + (y % 7);
    rows[i + 1] = 170;
    rows[i + 2] = 230 - Math.floor(y / 16);
  }
  noPerson = await sharp(rows, { raw: { width: 320, height: 400, channels: 3 } }).jpeg().toBuffer();
});

afterAll(async () => {
  for (const c of slow) c.abort();
  await Promise.all(opened.map((s) => s.app.close()));
  await pipeline?.close();
});

describe('1. malformed multipart boundaries are 4xx, never 500', () => {
  it.each([
    ['256 characters', 'b'.repeat(256)],
    ['300 characters', 'b'.repeat(300)],
    ['71 characters (RFC 2046 allows 70)', 'b'.repeat(71)],
    ['empty', ''],
    ['a character outside the boundary set', 'abc<def>'],
  ])('boundary of %s: 400 naming the boundary', async (_name, boundary) => {
    const s = await server();
    const r = await rawPost(s.port, '/api/virtual-tryon', fields(boundary || 'x', noPerson), { 'Content-Type': `multipart/form-data; boundary=${boundary}` });
    expectErrorShape(r.status, r.headers['content-type'], r.body, { status: 400, code: 'BAD_INPUT', mention: 'multipart boundary' });
  });

  it('multipart with parameters but no boundary: 400', async () => {
    const s = await server();
    const r = await rawPost(s.port, '/api/virtual-tryon', fields('x', noPerson), { 'Content-Type': 'multipart/form-data; charset=utf-8' });
    expectErrorShape(r.status, r.headers['content-type'], r.body, { status: 400, code: 'BAD_INPUT', mention: 'multipart boundary' });
  });

  it('a 70-character boundary, quoted, is read as usual', async () => {
    const s = await server();
    const boundary = `${'-'.repeat(20)}${'9'.repeat(50)}`;
    const r = await rawPost(s.port, '/api/virtual-tryon', fields(boundary, noPerson), { 'Content-Type': `multipart/form-data; boundary="${boundary}"` });
    // Parsed, checked and computed: the photo has no person in it.
    expectErrorShape(r.status, r.headers['content-type'], r.body, { status: 422, code: 'NO_PERSON' });
  });
});

describe('2. every request to a limited path counts against the rate limit', () => {
  it('wrong API keys: 401 until the limit, then 429', async () => {
    const s = await server({ apiKey: API_KEY, rateLimit: '5/min' });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await rawPost(s.port, '/api/virtual-tryon', fields('k', noPerson), { 'Content-Type': 'multipart/form-data; boundary=k', 'X-API-Key': `guess-${i}-0123456789` });
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // The right key is limited too now: the budget is per client, not per outcome.
    const right = await rawPost(s.port, '/api/virtual-tryon', fields('k', noPerson), { 'Content-Type': 'multipart/form-data; boundary=k', 'X-API-Key': API_KEY });
    expectErrorShape(right.status, right.headers['content-type'], right.body, { status: 429, code: 'RATE_LIMITED' });
  });

  it('bodies that are not multipart, bad Hosts and unknown paths count; health does not', async () => {
    const s = await server({ rateLimit: '4/min' });
    const statuses = [
      (await rawPost(s.port, '/api/virtual-tryon', Buffer.from('{}'), { 'Content-Type': 'application/json' })).status,
      (await rawPost(s.port, '/api/virtual-tryon', Buffer.from('x'), { 'Content-Type': 'text/plain' })).status,
      (await rawGet(s.port, '/api/nothing-here')).status,
      (await raw(s.port, 'GET /api/results/x.jpg HTTP/1.1\r\nHost: bad/host\r\nConnection: close\r\n\r\n')).status,
      (await rawPost(s.port, '/api/virtual-tryon', Buffer.from('x'), { 'Content-Type': 'text/plain' })).status,
    ];
    expect(statuses).toEqual([415, 415, 404, 400, 429]);
    for (let i = 0; i < 5; i++) expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
  });
});

describe('3. slow uploads hold no compute slot or queue place', () => {
  it('a try-on is computed while more slow uploads than concurrency + queue hang', async () => {
    const s = await server({ concurrency: 1, queue: 1, uploadsPerClient: 8, maxUploads: 16 });
    const stalled = [0, 1, 2, 3].map(() => slowClient(s));
    await until(async () => (await health(s)).uploads.active === 4, 5000, '4 uploads in progress');
    expect((await health(s)).queue).toMatchObject({ depth: 0, active: 0 });
    const r = await rawPost(s.port, '/api/virtual-tryon', fields('q', noPerson), { 'Content-Type': 'multipart/form-data; boundary=q' });
    // Computed (the photo has no person), not refused with 503.
    expectErrorShape(r.status, r.headers['content-type'], r.body, { status: 422, code: 'NO_PERSON' });
    for (const c of stalled) c.abort();
    await until(async () => (await health(s)).uploads.active === 0, 5000, 'the aborted uploads to be released');
  });

  it('bounds the uploads of one client (429) and of all clients (503), before reading their bodies', async () => {
    const perClient = await server({ uploadsPerClient: 2, maxUploads: 16 });
    const mine = [slowClient(perClient), slowClient(perClient)];
    await until(async () => (await health(perClient)).uploads.active === 2, 5000, '2 uploads in progress');
    // (Declared over 1 MB: refused without waiting for a small body to skip.)
    const third = await slowClient(perClient, 2_000_000).answer;
    expectErrorShape(third.status, third.headers['content-type'], third.body, { status: 429, code: 'TOO_MANY_UPLOADS' });
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // One finishes (here: gives up); the client may upload again.
    mine[0].abort();
    await until(async () => (await health(perClient)).uploads.active === 1, 5000, 'the aborted upload to be released');
    slowClient(perClient);
    await until(async () => (await health(perClient)).uploads.active === 2, 5000, 'a new upload in progress');

    const total = await server({ uploadsPerClient: 8, maxUploads: 2 });
    slowClient(total);
    slowClient(total);
    await until(async () => (await health(total)).uploads.active === 2, 5000, '2 uploads in progress');
    const over = await slowClient(total, 2_000_000).answer;
    expectErrorShape(over.status, over.headers['content-type'], over.body, { status: 503, code: 'QUEUE_FULL', mention: 'uploads in progress' });
    for (const c of slow) c.abort();
    await until(async () => (await health(perClient)).uploads.active + (await health(total)).uploads.active === 0, 5000, 'every upload released');
  });

  it('cuts a stalled upload at the upload timeout with 408 in the API shape, and frees its place', async () => {
    const s = await server({ uploadTimeout: '1s' });
    const started = Date.now();
    const client = slowClient(s);
    await until(async () => (await health(s)).uploads.active === 1, 5000, 'the upload in progress');
    const r = await client.answer;
    const elapsed = Date.now() - started;
    expectErrorShape(r.status, r.headers['content-type'], r.body, { status: 408, code: 'REQUEST_TIMEOUT', mention: '1 s' });
    // Node checks its timeouts every second here (every 30 s by default).
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(4000);
    await until(async () => (await health(s)).uploads.active === 0, 5000, 'the upload place to be released');
  });
});

describe('6. answers in the API shape, methods, Host, aborts', () => {
  it('answers what Node refuses itself (malformed, headers too large) in the API shape', async () => {
    const s = await server();
    const bad = await raw(s.port, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n');
    expectErrorShape(bad.status, bad.headers['content-type'], bad.body, { status: 400, code: 'BAD_INPUT' });
    const big = await raw(s.port, `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\nX-Bigger: ${'b'.repeat(20_000)}\r\n\r\n`);
    expectErrorShape(big.status, big.headers['content-type'], big.body, { status: 431, code: 'HEADERS_TOO_LARGE' });
  });

  it.each([
    ['GET', '/api/virtual-tryon', 'POST'],
    ['PUT', '/api/virtual-tryon', 'POST'],
    ['DELETE', '/api/health', 'GET, HEAD'],
    ['POST', '/api/openapi.json', 'GET, HEAD'],
    ['DELETE', `/api/results/${'ab'.repeat(16)}.jpg`, 'GET, HEAD'],
  ])('%s %s: 405 with Allow: %s', async (method, pathname, allow) => {
    const s = await server();
    const r = await raw(s.port, `${method} ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    expectErrorShape(r.status, r.headers['content-type'], r.body, { status: 405, code: 'METHOD_NOT_ALLOWED', mention: method });
    expect(r.headers.allow).toBe(allow);
  });

  it.each([
    ['a path', 'evil.example.com/x'],
    ['markup', 'a<script>'],
    ['an empty label', 'shop..example.com'],
    ['a port over 65535', 'shop.example.com:99999'],
    ['user info', 'user@shop.example.com'],
    ['nothing (no Host header in HTTP/1.1)', null],
  ])('refuses a Host header with %s (400)', async (_name, host) => {
    const s = await server();
    const r = await raw(s.port, `GET /api/health HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);
    expectErrorShape(r.status, r.headers['content-type'], r.body, { status: 400, code: 'BAD_INPUT', mention: 'Host header' });
  });

  it('logs a client that aborts its upload in one line, without a stack trace', async () => {
    const s = await server();
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      // An odd declared length tells this client's line from any other.
      const client = slowClient(s, 123_457);
      await until(async () => (await health(s)).uploads.active === 1, 5000, 'the upload in progress');
      client.abort();
      await until(() => lines.some((l) => l.includes('of 123457 declared')), 5000, 'the abort to be logged');
      await until(async () => (await health(s)).uploads.active === 0, 5000, 'the upload place to be released');
    } finally {
      spy.mockRestore();
    }
    const text = lines.join('');
    expect(text).not.toMatch(/\n\s+at /);
    const mine = text.split('\n').filter((l) => l.includes('of 123457 declared'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/^tryon serve: POST \/api\/virtual-tryon: connection closed before the request arrived in full \(\d+ bytes received of 123457 declared\)$/);
  });
});
