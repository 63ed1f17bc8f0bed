/**
 * The REST server end to end: real servers on loopback ports over the REAL pipeline (one
 * shared Tryon), real photographs from ../shared/fixtures, and a table of malformed requests
 * each answered with the right status and JSON shape, the servers healthy afterwards.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tryon } from '../src/pipeline.ts';
import { HAVE_SHARED, catalog, garmentPath, personPhotos } from './fixtures.ts';
import { expectErrorShape, form, hugeUpload, multipartBody, rawGet, rawPost, start, type FormValue, type Running } from './serve-helpers.ts';

const API_KEY = 'test-key-0123456789';
const RESULT_URL = /^http:\/\/127\.0\.0\.1:\d+\/api\/results\/[0-9a-f]{32}\.jpg$/;

// An 8x8 PNG (valid, too small for analysis) and a 400x400 JPEG (over the small server's 100 000-pixel limit).
const PNG_8x8 = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer();
const tinyJpeg400 = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#888' } }).jpeg().toBuffer();

let pipeline: Tryon;
let main: Running;
let keyed: Running;
let limited: Running;
let busy: Running;
let small: Running;
let publicUrl: Running;
/** A small valid JPEG: enough for requests that must fail on a field before any analysis. */
let tinyJpeg: Buffer;
/** A photo with no person in it (sky-like gradient with noise). */
let noPerson: Buffer;

beforeAll(async () => {
  pipeline = await Tryon.create({ cacheDir: null, concurrency: 2 });
  [main, keyed, limited, busy, small, publicUrl] = await Promise.all([
    start(pipeline, { concurrency: 2, queue: 8 }),
    start(pipeline, { apiKey: API_KEY }),
    start(pipeline, { rateLimit: '3/min' }),
    start(pipeline, { concurrency: 1, queue: 0 }),
    start(pipeline, { maxUpload: '300KB', maxPixels: 100_000 }),
    start(pipeline, { publicUrl: 'https://tryon.example.com/' }),
  ]);
  tinyJpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  const noise = Buffer.alloc(384 * 512 * 3);
  for (let i = 0; i < noise.length; i += 3) {
    const y = Math.floor(i / 3 / 384);
    noise[i] = 120 + (y % 7);
    noise[i + 1] = 170 + ((i / 3) % 5);
    noise[i + 2] = 230 - Math.floor(y / 16);
  }
  noPerson = await sharp(noise, { raw: { width: 384, height: 512, channels: 3 } }).jpeg().toBuffer();
});

afterAll(async () => {
  await Promise.all([main, keyed, limited, busy, small, publicUrl].map((s) => s?.app.close()));
  await pipeline?.close();
});

const tshirt = (overrides: Record<string, FormValue | FormValue[] | undefined> = {}): Record<string, FormValue | FormValue[]> => {
  const base: Record<string, FormValue | FormValue[] | undefined> = {
    person_image: { bytes: tinyJpeg, filename: 'me.jpg', type: 'image/jpeg' },
    clothing_name: 'Basic tee',
    clothing_type: 'tshirt',
    clothing_color: '#1e90ff',
    clothing_size: 'M',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, FormValue | FormValue[]>;
};

async function post(server: Running, fields: Record<string, FormValue | FormValue[]>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/virtual-tryon`, { method: 'POST', body: form(fields), headers });
}

/** Parsed JSON of a response (any: the tests assert its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

async function expectError(res: Response, status: number, code?: string, mention?: string): Promise<void> {
  expectErrorShape(res.status, res.headers.get('content-type'), await res.text(), { status, code, mention });
}

/** Share of pixels within `tol` of a colour (per channel). */
function shareNear(data: Buffer, channels: number, rgb: [number, number, number], tol: number): number {
  let n = 0;
  for (let i = 0; i < data.length; i += channels) {
    if (Math.abs(data[i] - rgb[0]) <= tol && Math.abs(data[i + 1] - rgb[1]) <= tol && Math.abs(data[i + 2] - rgb[2]) <= tol) n++;
  }
  return n / (data.length / channels);
}

describe.skipIf(!HAVE_SHARED)('try-on with real photographs', () => {
  const personFile = personPhotos()[0];
  const entry = catalog().find((g) => g.type === 'tshirt') ?? catalog()[0];

  it('dresses a photo in a garment photo and serves the result', async () => {
    const person = readFileSync(personFile);
    const size = await sharp(person).metadata();
    const res = await post(main, {
      person_image: { bytes: person, filename: 'person.jpg', type: 'image/jpeg' },
      clothing_image: { bytes: readFileSync(garmentPath(entry)), filename: 'garment.jpg', type: 'image/jpeg' },
      clothing_name: entry.id,
      clothing_type: entry.type,
      clothing_size: 'L',
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ success: true, result_image_url: expect.stringMatching(RESULT_URL), message: 'Virtual try-on completed successfully', warnings: expect.any(Array) });
    const image = await fetch(body.result_image_url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', size.width, size.height]);
  });

  it("says in its answer what the try-on warned about (a hand hidden at the hip, for trousers)", async () => {
    // 07966_00: her right hand rests behind the hip, which the person analysis flags for bottoms.
    const person = readFileSync(personPhotos().find((p) => p.endsWith('07966_00.jpg'))!);
    const res = await post(main, tshirt({ person_image: { bytes: person, filename: 'p.jpg', type: 'image/jpeg' }, clothing_type: 'trousers' }));
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.warnings.some((w: string) => /hand/i.test(w)), JSON.stringify(body.warnings)).toBe(true);
  });

  it('dresses a photo in the built-in template of a type in a colour', async () => {
    const person = readFileSync(personFile);
    const fields = tshirt({ person_image: { bytes: person, filename: 'x.png', type: 'image/png' }, clothing_color: '#1E90FF' });
    const res = await post(main, fields);
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.result_image_url).toMatch(RESULT_URL);
    const image = await fetch(body.result_image_url);
    const { data, info } = await sharp(Buffer.from(await image.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    const size = await sharp(person).metadata();
    expect([info.width, info.height]).toEqual([size.width, size.height]);
    // The garment is really there: a visible share of pixels near dodger blue (shading allowed).
    const before = await sharp(person).removeAlpha().raw().toBuffer();
    expect(shareNear(data, info.channels, [0x1e, 0x90, 0xff], 60)).toBeGreaterThan(0.02 + shareNear(before, 3, [0x1e, 0x90, 0xff], 60));

    // The identical request within the TTL is answered with the same result; another size is not.
    const again = await json(await post(main, fields));
    expect(again.result_image_url).toBe(body.result_image_url);
    // Identical requests arriving together share one computation, hence one result.
    const together = await Promise.all([1, 2, 3].map(async () => json(await post(main, { ...fields, clothing_color: '#8e44ad' }))));
    expect(together[0].result_image_url).toMatch(RESULT_URL);
    expect(new Set(together.map((b) => b.result_image_url)).size).toBe(1);
    const other = await json(await post(main, { ...fields, clothing_size: 'XL' }));
    expect(other.result_image_url).toMatch(RESULT_URL);
    expect(other.result_image_url).not.toBe(body.result_image_url);

    // Result URLs honour the Host header, or --public-url when set.
    const viaHost = await rawPost(main.port, '/api/virtual-tryon', multipartBody('b0', [
      { name: 'person_image', filename: 'p.jpg', data: person },
      { name: 'clothing_name', data: 'Basic tee' },
      { name: 'clothing_type', data: 'tshirt' },
      { name: 'clothing_color', data: '#1e90ff' },
      { name: 'clothing_size', data: 'M' },
    ]), { 'Content-Type': 'multipart/form-data; boundary=b0', Host: 'shop.example.org:8443' });
    expect(JSON.parse(viaHost.body).result_image_url).toBe(body.result_image_url.replace(/^http:\/\/127\.0\.0\.1:\d+/, 'http://shop.example.org:8443'));
    const viaPublic = await json(await post(publicUrl, fields));
    expect(viaPublic.result_image_url).toMatch(/^https:\/\/tryon\.example\.com\/api\/results\/[0-9a-f]{32}\.jpg$/);
  });

  it('reports health: version, loaded models, provider and queue', async () => {
    const res = await fetch(`${main.url}/api/health`);
    expect(res.status).toBe(200);
    const health = await json(res);
    expect(health).toMatchObject({ status: 'ok', version: '0.1.0', execution_provider: expect.stringMatching(/^(cpu|cuda|webgpu)$/) });
    expect(health.models_loaded.length).toBeGreaterThan(0);
    expect(health.queue).toEqual({ depth: 0, active: 0, concurrency: 2, limit: 8 });
    expect(health.results_stored).toBeGreaterThanOrEqual(2);
  });

  it('forgets results after the TTL', async () => {
    const shortLived = await start(pipeline, { ttl: '400ms' });
    try {
      const body = await json(await post(shortLived, tshirt({ person_image: { bytes: readFileSync(personFile) }, clothing_color: '#2ecc71' })));
      expect(body.result_image_url).toMatch(RESULT_URL);
      expect((await fetch(body.result_image_url)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      await expectError(await fetch(body.result_image_url), 404, 'NOT_FOUND');
    } finally {
      await shortLived.app.close();
    }
  });

  it('refuses requests beyond concurrency + queue with 503 and Retry-After', async () => {
    const person = readFileSync(personFile);
    const colours = ['#aa0000', '#00aa00', '#0000aa', '#aaaa00'];
    const answers = await Promise.all(colours.map((c) => post(busy, tshirt({ person_image: { bytes: person }, clothing_color: c }))));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (const r of answers) {
      if (r.status !== 503) continue;
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectError(r, 503, 'QUEUE_FULL');
    }
  });
});

describe('malformed requests', () => {
  it('answers a photo with no person with 422', async () => {
    const res = await post(main, tshirt({ person_image: { bytes: noPerson, filename: 'sky.jpg', type: 'image/jpeg' } }));
    await expectError(res, 422, 'NO_PERSON');
  });

  type Case = [name: string, send: () => Promise<{ status: number; contentType: string | null | undefined; body: string }>, status: number, code: string, mention?: string];
  const viaFetch = (server: () => Running, fields: () => Record<string, FormValue | FormValue[]>, headers: Record<string, string> = {}) => async () => {
    const res = await post(server(), fields(), headers);
    return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
  };
  const viaRaw = (send: () => Promise<{ status: number; headers: Record<string, string>; body: string }>) => async () => {
    const r = await send();
    return { status: r.status, contentType: r.headers['content-type'], body: r.body };
  };
  const textFile = { bytes: Buffer.from('name,size\nshirt,M\n'), filename: 'photo.jpg', type: 'image/jpeg' };
  const goodParts = () => [
    { name: 'person_image', filename: 'p.jpg', type: 'image/jpeg', data: tinyJpeg },
    { name: 'clothing_name', data: 'Basic tee' },
    { name: 'clothing_type', data: 'tshirt' },
    { name: 'clothing_color', data: '#1e90ff' },
    { name: 'clothing_size', data: 'M' },
  ];

  const cases: Case[] = [
    ['missing person_image', viaFetch(() => main, () => tshirt({ person_image: undefined })), 400, 'BAD_OPTION', 'person_image'],
    ['missing clothing_name', viaFetch(() => main, () => tshirt({ clothing_name: undefined })), 400, 'BAD_OPTION', 'clothing_name'],
    ['missing clothing_type', viaFetch(() => main, () => tshirt({ clothing_type: undefined })), 400, 'BAD_OPTION', 'clothing_type'],
    ['missing clothing_size', viaFetch(() => main, () => tshirt({ clothing_size: undefined })), 400, 'BAD_OPTION', 'clothing_size'],
    ['missing clothing_color without clothing_image', viaFetch(() => main, () => tshirt({ clothing_color: undefined })), 400, 'BAD_OPTION', 'clothing_color'],
    ['empty clothing_name', viaFetch(() => main, () => tshirt({ clothing_name: '   ' })), 400, 'BAD_OPTION', 'clothing_name'],
    ['control characters in clothing_name', viaFetch(() => main, () => tshirt({ clothing_name: 'tee\u0000\u001b[31m' })), 400, 'BAD_OPTION', 'clothing_name'],
    ['clothing_name over 200 characters', viaFetch(() => main, () => tshirt({ clothing_name: 'x'.repeat(300) })), 400, 'BAD_OPTION', 'clothing_name'],
    ['unknown clothing_type', viaFetch(() => main, () => tshirt({ clothing_type: 'hat' })), 400, 'BAD_OPTION', 'clothing_type'],
    ['clothing_type sent as a file', viaFetch(() => main, () => tshirt({ clothing_type: { bytes: Buffer.from('tshirt'), filename: 't.txt' } })), 400, 'BAD_OPTION', 'clothing_type'],
    ['person_image sent as text', viaFetch(() => main, () => tshirt({ person_image: 'me.jpg' })), 400, 'BAD_OPTION', 'person_image'],
    ['colour name instead of hex', viaFetch(() => main, () => tshirt({ clothing_color: 'blue' })), 400, 'BAD_OPTION', 'clothing_color'],
    ['five-digit hex colour', viaFetch(() => main, () => tshirt({ clothing_color: '#12345' })), 400, 'BAD_OPTION', 'clothing_color'],
    ['non-hex colour digits', viaFetch(() => main, () => tshirt({ clothing_color: '#ggg' })), 400, 'BAD_OPTION', 'clothing_color'],
    ['unknown size XXL', viaFetch(() => main, () => tshirt({ clothing_size: 'XXL' })), 400, 'BAD_OPTION', 'clothing_size'],
    ['numeric size', viaFetch(() => main, () => tshirt({ clothing_size: '42' })), 400, 'BAD_OPTION', 'clothing_size'],
    ['unknown field', viaFetch(() => main, () => tshirt({ clothing_brand: 'Acme' })), 400, 'BAD_OPTION', 'clothing_brand'],
    ['field given twice', viaFetch(() => main, () => tshirt({ clothing_size: ['M', 'L'] })), 400, 'BAD_OPTION', 'clothing_size'],
    ['a text file as person_image (named .jpg, typed image/jpeg)', viaFetch(() => main, () => tshirt({ person_image: textFile })), 415, 'UNSUPPORTED_FORMAT', 'person_image'],
    ['a text file as clothing_image', viaFetch(() => main, () => tshirt({ clothing_image: textFile })), 415, 'UNSUPPORTED_FORMAT', 'clothing_image'],
    ['an empty person_image', viaFetch(() => main, () => tshirt({ person_image: { bytes: Buffer.alloc(0), filename: 'e.jpg' } })), 400, 'BAD_INPUT', 'person_image'],
    ['a truncated JPEG', viaFetch(() => main, () => tshirt({ person_image: { bytes: tinyJpeg.subarray(0, 40), filename: 'cut.jpg' } })), 400, 'BAD_INPUT', 'person_image'],
    ['an image too small to analyse', viaFetch(() => main, () => tshirt({ person_image: { bytes: PNG_8x8, filename: 'dot.png' } })), 400, 'BAD_INPUT', 'person_image'],
    ['an image over the pixel limit', viaFetch(() => small, () => tshirt({ person_image: { bytes: tinyJpeg400 } })), 413, 'TOO_LARGE', 'person_image'],
    ['an upload over the byte limit', viaFetch(() => small, () => tshirt({ person_image: { bytes: Buffer.concat([tinyJpeg, Buffer.alloc(400_000)]) } })), 413, 'TOO_LARGE', 'person_image'],
    ['a truncated multipart body', viaRaw(() => rawPost(main.port, '/api/virtual-tryon', multipartBody('cut', goodParts()).subarray(0, 300), { 'Content-Type': 'multipart/form-data; boundary=cut' })), 400, 'BAD_INPUT'],
    ['garbage under a multipart content type', viaRaw(() => rawPost(main.port, '/api/virtual-tryon', Buffer.from('this is not a form at all'), { 'Content-Type': 'multipart/form-data; boundary=zzz' })), 400, 'BAD_INPUT'],
    ['multipart without a boundary', viaRaw(() => rawPost(main.port, '/api/virtual-tryon', multipartBody('b', goodParts()), { 'Content-Type': 'multipart/form-data' })), 415, 'NOT_MULTIPART'],
    ['a JSON body', viaRaw(() => rawPost(main.port, '/api/virtual-tryon', Buffer.from(JSON.stringify({ clothing_type: 'tshirt' })), { 'Content-Type': 'application/json' })), 415, 'NOT_MULTIPART', 'multipart/form-data'],
    ['a url-encoded body', viaRaw(() => rawPost(main.port, '/api/virtual-tryon', Buffer.from('clothing_type=tshirt'), { 'Content-Type': 'application/x-www-form-urlencoded' })), 415, 'NOT_MULTIPART'],
    ['no body at all', viaRaw(() => rawPost(main.port, '/api/virtual-tryon', Buffer.alloc(0), {})), 415, 'NOT_MULTIPART'],
    ['GET on the try-on endpoint', viaRaw(() => rawGet(main.port, '/api/virtual-tryon')), 405, 'METHOD_NOT_ALLOWED', 'POST'],
    ['../ in the results path', viaRaw(() => rawGet(main.port, '/api/results/../../package.json')), 404, 'NOT_FOUND'],
    ['%2e%2e%2f in the results path', viaRaw(() => rawGet(main.port, '/api/results/%2e%2e%2fpackage.json')), 404, 'NOT_FOUND'],
    ['double-encoded traversal', viaRaw(() => rawGet(main.port, '/api/results/%252e%252e%252f%252e%252e%252fetc%252fpasswd')), 404, 'NOT_FOUND'],
    ['encoded backslash traversal', viaRaw(() => rawGet(main.port, '/api/results/..%5c..%5cpackage.json')), 404, 'NOT_FOUND'],
    ['a NUL byte in the results path', viaRaw(() => rawGet(main.port, `/api/results/${'0'.repeat(32)}.jpg%00.png`)), 404, 'NOT_FOUND'],
    ['a directory listing', viaRaw(() => rawGet(main.port, '/api/results/')), 404, 'NOT_FOUND'],
    ['an unknown result name', viaRaw(() => rawGet(main.port, `/api/results/${'ab'.repeat(16)}.jpg`)), 404, 'NOT_FOUND'],
    ['a malformed percent-encoding', viaRaw(() => rawGet(main.port, '/api/results/%zz')), 400, 'BAD_INPUT'],
    ['a missing API key', viaFetch(() => keyed, () => tshirt()), 401, 'UNAUTHORIZED', 'API key'],
    ['a wrong X-API-Key', viaFetch(() => keyed, () => tshirt(), { 'X-API-Key': 'wrong-key-0123456789' }), 401, 'UNAUTHORIZED'],
    ['a wrong bearer token', viaFetch(() => keyed, () => tshirt(), { Authorization: 'Bearer test-key-012345678' }), 401, 'UNAUTHORIZED'],
    ['the key as Basic auth', viaFetch(() => keyed, () => tshirt(), { Authorization: `Basic ${Buffer.from(`u:${API_KEY}`).toString('base64')}` }), 401, 'UNAUTHORIZED'],
    ['the right key and a bad field', viaFetch(() => keyed, () => tshirt({ clothing_size: 'XXS' }), { 'X-API-Key': API_KEY }), 400, 'BAD_OPTION', 'clothing_size'],
  ];

  it(`has at least 30 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('%s', async (_name, send, status, code, mention) => {
    const r = await send();
    expectErrorShape(r.status, r.contentType, r.body, { status, code, mention });
  });

  it('cuts a 50 MB upload off early with 413 (Content-Length and chunked)', async () => {
    for (const chunked of [false, true]) {
      const r = await hugeUpload(main.port, 50_000_000, chunked);
      expectErrorShape(r.status, 'application/json', r.body, { status: 413, code: 'TOO_LARGE' });
      // Refused from the header, or at the 10 MB parser limit: never read to the end.
      expect(r.written).toBeLessThan(30_000_000);
    }
  });

  it('rate-limits a client with 429 and Retry-After', async () => {
    const answers: Response[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(limited, tshirt({ clothing_size: 'XXL' })));
    expect(answers.map((r) => r.status)).toEqual([400, 400, 400, 429]);
    expect(Number(answers[3].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectError(answers[3], 429, 'RATE_LIMITED');
  });

  it('serves the OpenAPI document describing every endpoint', async () => {
    const doc = await json(await fetch(`${keyed.url}/api/openapi.json`));
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/health', '/api/openapi.json', '/api/results/{filename}', '/api/virtual-tryon']);
    const post = doc.paths['/api/virtual-tryon'].post;
    expect(Object.keys(post.responses).sort()).toEqual(['200', '400', '401', '408', '413', '415', '422', '429', '503']);
    expect(Object.keys(post.requestBody.content['multipart/form-data'].schema.properties).sort()).toEqual(
      ['clothing_color', 'clothing_image', 'clothing_name', 'clothing_size', 'clothing_type', 'person_image'],
    );
    expect(doc.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const shop = await start(pipeline, { corsOrigins: ['https://shop.example.com'] });
    try {
      const preflight = (origin: string) =>
        fetch(`${shop.url}/api/virtual-tryon`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' },
        });
      const allowed = await preflight('https://shop.example.com');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
      expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-api-key');
      expect((await preflight('https://evil.example.net')).headers.get('access-control-allow-origin')).toBeNull();
      // Without --cors-origin no CORS headers at all.
      expect((await fetch(`${main.url}/api/health`, { headers: { origin: 'https://shop.example.com' } })).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await shop.app.close();
    }
  });

  it('leaves every server healthy', async () => {
    for (const s of [main, keyed, limited, busy, small, publicUrl]) {
      const res = await fetch(`${s.url}/api/health`);
      expect(res.status).toBe(200);
      expect((await json(res)).status).toBe('ok');
    }
  });
});

