/** The server's building blocks without a server: options parsing, the result store, the admission queue. */
import { describe, expect, it } from 'vitest';
import { TryonError } from '../src/errors.ts';
import { keyMatches } from '../src/serve/auth.ts';
import { toHttpError } from '../src/serve/http.ts';
import { parseBytes, parseDuration, parseRate, resolveServeOptions } from '../src/serve/options.ts';
import { AdmissionQueue } from '../src/serve/queue.ts';
import { UploadGate } from '../src/serve/uploads.ts';
import { RESULT_NAME, ResultStore } from '../src/serve/store.ts';

describe('serve options', () => {
  it('parses sizes, durations and rates', () => {
    expect(parseBytes('maxUpload', '10MB')).toBe(10_000_000);
    expect(parseBytes('maxUpload', '1.5 MiB')).toBe(1_572_864);
    expect(parseBytes('maxUpload', 2048)).toBe(2048);
    expect(parseDuration('ttl', '1h')).toBe(3_600_000);
    expect(parseDuration('ttl', '90s')).toBe(90_000);
    expect(parseRate('rateLimit', '60/min')).toEqual({ max: 60, windowMs: 60_000 });
    expect(parseRate('rateLimit', '5/s')).toEqual({ max: 5, windowMs: 1000 });
    expect(parseRate('rateLimit', 'off')).toBeNull();
  });

  it('has safe defaults', () => {
    const o = resolveServeOptions({ concurrency: 2 });
    expect(o).toMatchObject({ host: '127.0.0.1', port: 8000, apiKey: null, maxUpload: 10_000_000, ttlMs: 3_600_000, queue: 4, corsOrigins: [], publicUrl: null });
    expect(o.rateLimit).toEqual({ max: 60, windowMs: 60_000 });
    expect(o).toMatchObject({ uploadTimeoutMs: 60_000, maxUploads: 24, uploadsPerClient: 4, shutdownGraceMs: 30_000 });
  });

  it.each([
    [{ maxUpload: 'ten megs' }, 'Expected size such as 10MB, 512KB or a byte count for maxUpload but received "ten megs" of type string'],
    [{ ttl: '-1h' }, 'Expected duration such as 1h, 30m or 90s for ttl but received "-1h" of type string'],
    [{ rateLimit: '60 per minute' }, 'Expected rate such as 60/min, 5/s or off for rateLimit but received "60 per minute" of type string'],
    [{ port: '99999' }, 'Expected integer between 0 and 65535 for port but received 99999 of type number'],
    [{ concurrency: 0 }, 'Expected integer between 1 and 256 for concurrency but received 0 of type number'],
    [{ publicUrl: 'ftp://x' }, 'Expected http(s) URL such as https://tryon.example.com for publicUrl but received "ftp://x" of type string'],
    [{ corsOrigins: ['shop.example.com'] }, 'Expected origins such as https://shop.example.com or * for corsOrigins but received "shop.example.com" of type string'],
    [{ apiKey: 'short' }, 'Expected string of at least 8 characters without spaces for apiKey but received "(hidden)" of type string'],
    [{ uploadTimeout: 'soon' }, 'Expected duration such as 1h, 30m or 90s for uploadTimeout but received "soon" of type string'],
    [{ uploadsPerClient: 0 }, 'Expected integer between 1 and 100000 for uploadsPerClient but received 0 of type number'],
    [{ shutdownGrace: '0s' }, 'Expected duration such as 1h, 30m or 90s for shutdownGrace but received "0s" of type string'],
    [{ hots: 'x' }, 'Unknown option hots; known: host, port'],
  ])('refuses %j', (input, message) => {
    let err: unknown;
    try {
      resolveServeOptions(input as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TryonError);
    expect((err as TryonError).code).toBe('BAD_OPTION');
    expect((err as TryonError).message.startsWith(message)).toBe(true);
  });
});

describe('ResultStore', () => {
  it('names results unguessably and expires them after the TTL', () => {
    let now = 1_000;
    const store = new ResultStore({ ttlMs: 500, maxCount: 10, maxBytes: 1e6, now: () => now });
    const a = store.put(Buffer.from('a'), 'jpg', 'image/jpeg', 'digest-a');
    const b = store.put(Buffer.from('b'), 'jpg', 'image/jpeg');
    expect(a.name).toMatch(RESULT_NAME);
    expect(a.name).not.toBe(b.name);
    expect(store.get(a.name)?.data.toString()).toBe('a');
    expect(store.byRequest('digest-a')?.name).toBe(a.name);
    now += 499;
    expect(store.sweep()).toBe(0);
    now += 1;
    expect(store.sweep()).toBe(2);
    expect(store.get(a.name)).toBeNull();
    expect(store.byRequest('digest-a')).toBeNull();
    expect(store.size).toBe(0);
    store.close();
  });

  it('refuses malformed names without a lookup', () => {
    const store = new ResultStore({ ttlMs: 1000, maxCount: 10, maxBytes: 1e6 });
    for (const name of ['../package.json', '', '.', 'ABCDEF0123456789ABCDEF0123456789.jpg', `${'0'.repeat(32)}.jpg/..`]) expect(store.get(name)).toBeNull();
    store.close();
  });

  it('stays within its count and byte bounds, dropping the oldest', () => {
    const store = new ResultStore({ ttlMs: 60_000, maxCount: 3, maxBytes: 250 });
    const names = [1, 2, 3, 4].map((i) => store.put(Buffer.alloc(50, i), 'jpg', 'image/jpeg', `d${i}`).name);
    expect(store.size).toBe(3);
    expect(store.get(names[0])).toBeNull();
    expect(store.byRequest('d1')).toBeNull();
    store.put(Buffer.alloc(200), 'jpg', 'image/jpeg');
    expect(store.totalBytes).toBeLessThanOrEqual(250);
    expect(store.get(names[3])).not.toBeNull();
    expect(store.get(names[1])).toBeNull();
    store.close();
  });
});

describe('AdmissionQueue', () => {
  it('admits concurrency + queue requests, then refuses until one is released', () => {
    const q = new AdmissionQueue(2, 1);
    const releases = [q.admit(), q.admit(), q.admit()];
    expect(releases.every((r) => typeof r === 'function')).toBe(true);
    expect(q.admit()).toBeNull();
    releases[0]!();
    releases[0]!(); // releasing twice counts once
    expect(q.admittedCount).toBe(2);
    expect(q.admit()).not.toBeNull();
    expect(q.admit()).toBeNull();
    expect(q.retryAfterSeconds()).toBeGreaterThanOrEqual(1);
  });

  it('runs at most `concurrency` jobs at once, in arrival order', async () => {
    const q = new AdmissionQueue(2, 10);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const jobs = [0, 1, 2, 3, 4].map((i) =>
      q.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
        return i;
      }),
    );
    for (let k = 0; k < 5; k++) {
      await new Promise((r) => setTimeout(r, 5));
      expect(q.active).toBeLessThanOrEqual(2);
      gates.shift()?.();
    }
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(q.active).toBe(0);
  });
});

describe('UploadGate', () => {
  it('bounds uploads per client (429) and in total (503), and frees a place once on release', () => {
    const gate = new UploadGate(3, 2, 5);
    const a1 = gate.begin('10.0.0.1');
    gate.begin('10.0.0.1');
    expect(() => gate.begin('10.0.0.1')).toThrow(expect.objectContaining({ status: 429, code: 'TOO_MANY_UPLOADS', headers: { 'retry-after': '5' } }));
    gate.begin('10.0.0.2');
    expect(() => gate.begin('10.0.0.3')).toThrow(expect.objectContaining({ status: 503, code: 'QUEUE_FULL' }));
    a1();
    a1(); // releasing twice counts once
    expect(gate.active).toBe(2);
    gate.begin('10.0.0.1');
    expect(() => gate.begin('10.0.0.1')).toThrow(expect.objectContaining({ status: 429 }));
  });
});

describe('errors and keys', () => {
  it('maps library errors to their status and hides internal ones', () => {
    expect(toHttpError(new TryonError('NO_PERSON', 'person_image: no person found'))).toMatchObject({ status: 422, code: 'NO_PERSON', message: 'person_image: no person found' });
    expect(toHttpError(new TryonError('UNSUPPORTED_FORMAT', 'x'))).toMatchObject({ status: 415 });
    expect(toHttpError(Object.assign(new Error('request file too large'), { code: 'FST_REQ_FILE_TOO_LARGE', statusCode: 413 }))).toMatchObject({ status: 413, code: 'TOO_LARGE' });
    expect(toHttpError(Object.assign(new Error('bad json'), { statusCode: 400 }))).toMatchObject({ status: 400, code: 'BAD_INPUT' });
    const hidden = toHttpError(new Error('ENOENT: /home/someone/secret/path'));
    expect(hidden).toMatchObject({ status: 500, code: 'INTERNAL', message: 'internal error' });
  });

  it('compares API keys whatever their lengths', () => {
    expect(keyMatches('secret-key-1', 'secret-key-1')).toBe(true);
    expect(keyMatches('secret-key-2', 'secret-key-1')).toBe(false);
    expect(keyMatches('', 'secret-key-1')).toBe(false);
    expect(keyMatches('secret-key-1-and-more', 'secret-key-1')).toBe(false);
  });
});
