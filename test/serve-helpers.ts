/**
 * Helpers for the server tests: start a real server on a loopback port, build forms, and send
 * raw HTTP (for bodies and paths a fetch client would refuse or normalise).
 */
import http from 'node:http';
import net from 'node:net';
import { expect } from 'vitest';
import { buildServer, type ServePipeline, type TryonServer } from '../src/serve/app.ts';
import type { ServeOptionsInput } from '../src/serve/options.ts';

export interface Running {
  app: TryonServer;
  port: number;
  url: string;
}

/** Starts a server on 127.0.0.1 and a free port. */
export async function start(pipeline: ServePipeline, options: ServeOptionsInput = {}): Promise<Running> {
  const app = buildServer(pipeline, { rateLimit: 'off', ...options, host: '127.0.0.1', port: 0 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('server has no address');
  return { app, port: address.port, url: `http://127.0.0.1:${address.port}` };
}

export type FormValue = string | { bytes: Uint8Array; filename?: string; type?: string };

/** A FormData from field -> text or file; an array value repeats the field. */
export function form(fields: Record<string, FormValue | FormValue[]>): FormData {
  const fd = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string') fd.append(name, v);
      else fd.append(name, new Blob([Buffer.from(v.bytes)], { type: v.type ?? 'application/octet-stream' }), v.filename ?? 'upload.bin');
    }
  }
  return fd;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends raw bytes over a socket and reads the response until the server closes or it is complete. */
export function raw(port: number, request: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err) => (chunks.length ? finish() : reject(err)));
    socket.on('close', () => finish());
    socket.write(request);
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      resolve(parseResponse(Buffer.concat(chunks)));
    }
    // Responses here are small; the server closes (Connection: close) once it has answered.
    setTimeout(() => {
      socket.destroy();
      finish();
    }, 10_000).unref();
  });
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** A GET with a path sent exactly as written (no dot-segment normalisation, no re-encoding). */
export function rawGet(port: number, pathname: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return raw(port, `GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Connection: close\r\n\r\n`);
}

/** A multipart body built by hand, so tests can truncate or corrupt it. */
export function multipartBody(boundary: string, parts: { name: string; filename?: string; type?: string; data: Buffer | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** POSTs a raw body with the given headers (Content-Length added unless chunked). */
export function rawPost(port: number, pathname: string, body: Buffer, headers: Record<string, string>): Promise<RawResponse> {
  const all = { Host: `127.0.0.1:${port}`, Connection: 'close', ...headers };
  if (!('Transfer-Encoding' in all)) (all as Record<string, string>)['Content-Length'] = String(body.length);
  const head = `POST ${pathname} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return raw(port, Buffer.concat([Buffer.from(head), body]));
}

/**
 * Streams a huge upload (`total` bytes of `prefix` + filler) and stops as soon as the server
 * answers; returns the answer and how many bytes were written by then.
 */
export function hugeUpload(port: number, total: number, chunked: boolean): Promise<{ status: number; body: string; written: number }> {
  const boundary = 'hugeboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="person_image"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff`,
    'latin1',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const fill = Buffer.alloc(1 << 20, 0x41);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/virtual-tryon',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(chunked ? {} : { 'content-length': String(head.length + total + tail.length) }),
      },
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, written });
      });
    });
    // The server closing its side while we still write is expected; only a missing answer is an error.
    req.on('error', (err) => {
      if (!answered) setTimeout(() => (answered ? undefined : reject(err)), 200);
    });
    const pump = (): void => {
      if (written === 0) {
        req.write(head);
      }
      while (!answered && written < total) {
        const n = Math.min(fill.length, total - written);
        written += n;
        if (!req.write(n === fill.length ? fill : fill.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end(tail);
    };
    pump();
  });
}

/** Asserts the error answer: status, JSON shape {success:false, message, code}, and optionally words in the message. */
export function expectErrorShape(status: number, contentType: string | null | undefined, bodyText: string, expected: { status: number; code?: string; mention?: string }): void {
  expect(status, bodyText).toBe(expected.status);
  expect(contentType ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(bodyText);
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'success']);
  expect(body.success).toBe(false);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(5);
  if (expected.code) expect(body.code).toBe(expected.code);
  if (expected.mention) expect(body.message).toContain(expected.mention);
}

export interface SlowUpload {
  /** The answer, once the server gives one (or closes the connection: status 0). */
  answer: Promise<RawResponse>;
  /** Writes more of the body. */
  send(bytes: string | Buffer): void;
  /** The client gives up: the connection is destroyed. */
  abort(): void;
}

/**
 * A client that sends its request head and the start of a multipart body declared as
 * `declared` bytes, then stalls (a slow or stalled upload), until the test sends more or aborts.
 */
export function slowUpload(port: number, headers: Record<string, string> = {}, declared = 100_000): SlowUpload {
  const boundary = 'slowboundary';
  const all: Record<string, string> = { Host: `127.0.0.1:${port}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(declared), ...headers };
  const head = `POST /api/virtual-tryon HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  const start = `--${boundary}\r\nContent-Disposition: form-data; name="person_image"; filename="slow.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff`;
  const socket = net.connect(port, '127.0.0.1');
  socket.write(Buffer.from(head + start, 'latin1'));
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  const answer = new Promise<RawResponse>((resolve) => {
    const finish = (): void => resolve(parseResponse(Buffer.concat(chunks)));
    // Done once the whole answer is in (the server may linger before it closes the connection).
    socket.on('data', () => {
      const r = parseResponse(Buffer.concat(chunks));
      if (r.status && Buffer.byteLength(r.body, 'latin1') >= Number(r.headers['content-length'] ?? Infinity)) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
  });
  return {
    answer,
    send: (bytes) => socket.write(bytes),
    abort: () => socket.destroy(),
  };
}

/** Status, headers and body of a raw HTTP/1.1 response (status 0 when there is none). */
export function parseResponse(bytes: Buffer): RawResponse {
  const text = bytes.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { status: 0, headers: {}, body: '' };
  const head = text.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status, headers, body };
}

/** Polls `probe` every 20 ms until it returns true; fails after `ms`. */
export async function until(probe: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Health {
  status: string;
  queue: { depth: number; active: number; concurrency: number; limit: number };
  uploads: { active: number; limit: number; per_client: number };
  results_stored: number;
  results_bytes: number;
}

export async function health(server: Running): Promise<Health> {
  return (await (await fetch(`${server.url}/api/health`)).json()) as Health;
}
