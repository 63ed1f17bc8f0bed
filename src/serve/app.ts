/**
 * The REST server over the library pipeline, safe to expose: fastify for its hook order
 * (rate limit -> API key -> content type run before a byte of the body is read), its
 * per-route body limits and graceful close; @fastify/multipart (busboy) because it streams
 * the form and stops at a byte limit instead of buffering whatever arrives.
 *
 * The pipeline is injected (`ServePipeline`, which `Tryon` satisfies), so the server owns no
 * models: the CLI creates the pipeline, the server borrows it, the CLI closes it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { PACKAGE_ROOT } from '../config.ts';
import { encodeImage } from '../image/encode.ts';
import type { GarmentAnalysis, GarmentCategory, GarmentType, PersonAnalysis, Size, TryOnResult } from '../types.ts';
import { requireApiKey } from './auth.ts';
import { readForm, validateForm, type TryonForm } from './form.ts';
import { HttpError, sendError, skipSmallBody, toHttpError } from './http.ts';
import { openApiDocument } from './openapi.ts';
import { resolveServeOptions, type ServeOptions, type ServeOptionsInput } from './options.ts';
import { AdmissionQueue } from './queue.ts';
import { RESULT_NAME, ResultStore, type StoredResult } from './store.ts';

/** What the server needs from the pipeline; `Tryon` (src/pipeline.ts) satisfies it. */
export interface ServePipeline {
  analysePerson(bytes: Buffer, name: string): Promise<PersonAnalysis>;
  analyseGarment(bytes: Buffer, options: { type: GarmentType; category: GarmentCategory; color?: string; name: string }): Promise<GarmentAnalysis>;
  template(type: GarmentType, color: string): Promise<GarmentAnalysis>;
  tryOn(person: PersonAnalysis, garment: GarmentAnalysis, options: { size: Size; layers?: boolean }): Promise<TryOnResult>;
  readonly registry: { readonly provider: unknown; loaded(): unknown };
}

export interface TryonServer extends FastifyInstance {}

const VERSION: string = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
/** Time allowed to receive a whole request (headers and body). */
const UPLOAD_TIMEOUT_MS = 60_000;
const SUCCESS_MESSAGE = 'Virtual try-on completed successfully';
/** A Host header we are willing to echo into a URL: name or IPv4 or [IPv6], optional port. */
const SAFE_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function digestOf(form: TryonForm, quality: number): string {
  const h = createHash('sha256');
  h.update(createHash('sha256').update(form.person).digest());
  h.update(form.garment ? createHash('sha256').update(form.garment).digest() : 'template');
  h.update(JSON.stringify([form.type, form.color, form.size, quality]));
  return h.digest('hex');
}

function modelNames(loaded: unknown): string[] {
  if (!Array.isArray(loaded)) return [];
  return loaded.map((m) => (typeof m === 'string' ? m : String((m as { name?: unknown; id?: unknown })?.name ?? (m as { id?: unknown })?.id ?? '?')));
}

/**
 * Builds the server (not listening yet: call `listen`). `close()` on it stops accepting,
 * finishes the requests in flight and stops the result sweep; it does not close the pipeline.
 */
export function buildServer(pipeline: ServePipeline, input: ServeOptions | ServeOptionsInput = {}): TryonServer {
  const options: ServeOptions = 'ttlMs' in input ? (input as ServeOptions) : resolveServeOptions(input as ServeOptionsInput);
  const store = new ResultStore({ ttlMs: options.ttlMs, maxCount: options.maxResults, maxBytes: options.maxResultBytes });
  const queue = new AdmissionQueue(options.concurrency, options.queue);
  const inflight = new Map<string, Promise<StoredResult>>();
  const limits = { maxUpload: options.maxUpload, maxPixels: options.maxPixels };
  // Two files and four short fields, with room for part headers and boundaries.
  const maxBody = 2 * options.maxUpload + 64 * 1024;
  let closing = false;

  const app = Fastify({
    logger: options.logger,
    // JSON bodies are refused anyway; keep what fastify buffers for them small.
    bodyLimit: 64 * 1024,
    // A client has this long to send its whole request: a slow upload must not hold its place
    // in the queue for ever (Node's default is 5 minutes).
    requestTimeout: UPLOAD_TIMEOUT_MS,
    // Finish requests in flight on close; drop idle keep-alive sockets so close is prompt.
    forceCloseConnections: 'idle',
    // Our own hook answers during close, in the API's error shape.
    return503OnClosing: false,
    frameworkErrors: (err, request, reply) => {
      sendError(request, reply, toHttpError(err));
    },
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // JSON answers carry result URLs and queue state: never from a cache. (Images set their own.)
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // While closing, the answers to requests in flight end their connections too; otherwise a
    // kept-alive socket would hold close() open for the whole keep-alive timeout.
    if (closing) reply.header('connection', 'close');
  });
  // On close: health turns 503 "draining" (load balancers stop sending), other new requests on
  // kept-alive connections get 503 in our shape, requests in flight finish.
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request) => {
    if (closing && request.url !== '/api/health') {
      throw new HttpError(503, 'SHUTTING_DOWN', 'Server is shutting down; retry shortly', { 'retry-after': '5', connection: 'close' });
    }
  });
  app.addHook('onClose', async () => {
    store.close();
  });
  app.setErrorHandler((err, request, reply) => {
    const http = toHttpError(err);
    if (http.status >= 500 && http.status !== 503) {
      // The answer says only "internal error"; the operator needs the cause even without --log.
      if (options.logger) request.log.error(err);
      else process.stderr.write(`tryon serve: ${request.method} ${request.url.slice(0, 100)} failed: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    return sendError(request, reply, http);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new HttpError(404, 'NOT_FOUND', `No such endpoint: ${request.method} ${request.url.slice(0, 100)}`)));

  app.register(multipart, { throwFileSizeLimit: true, limits: { fileSize: options.maxUpload } });
  if (options.corsOrigins.length > 0) {
    app.register(cors, {
      origin: options.corsOrigins.includes('*') ? '*' : options.corsOrigins,
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['Content-Type', 'X-API-Key', 'Authorization'],
      maxAge: 600,
    });
  }
  if (options.rateLimit) {
    app.register(rateLimit, {
      global: true,
      max: options.rateLimit.max,
      timeWindow: options.rateLimit.windowMs,
      errorResponseBuilder: (_request, context) =>
        new HttpError(429, 'RATE_LIMITED', `Rate limit of ${context.max} requests per ${context.after} exceeded; retry later`, {
          'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
        }),
    });
  }

  app.register(async (api) => {
    api.get('/api/health', { config: { rateLimit: false } }, async (_request, reply) => reply.code(closing ? 503 : 200).send({
      status: closing ? 'draining' : 'ok',
      version: VERSION,
      models_loaded: modelNames(pipeline.registry.loaded()),
      execution_provider: String(pipeline.registry.provider),
      queue: { depth: queue.depth, active: queue.active, concurrency: queue.concurrency, limit: queue.queueLimit },
      results_stored: store.size,
    }));

    const document = openApiDocument(VERSION, options);
    api.get('/api/openapi.json', { config: { rateLimit: false } }, async () => document);

    // No API key here: the 128-bit random name is the capability, so <img src> works in a browser.
    api.get<{ Params: { filename: string } }>('/api/results/:filename', async (request, reply) => {
      const name = request.params.filename;
      const result = RESULT_NAME.test(name) ? store.get(name) : null;
      if (!result) throw new HttpError(404, 'NOT_FOUND', 'No such result (it may have expired)');
      const maxAge = Math.max(0, Math.floor((result.expires - Date.now()) / 1000));
      return reply.type(result.contentType).header('cache-control', `private, max-age=${maxAge}, immutable`).send(result.data);
    });

    const checkKey = requireApiKey(options.apiKey);
    const checkBody = async (request: FastifyRequest): Promise<void> => {
      const type = request.headers['content-type'] ?? '';
      if (!/^multipart\/form-data\s*;/i.test(type)) {
        throw new HttpError(415, 'NOT_MULTIPART', `request body: expected multipart/form-data but received ${type ? JSON.stringify(type.slice(0, 80)) : 'no Content-Type'}`);
      }
      const length = Number(request.headers['content-length']);
      if (Number.isFinite(length) && length > maxBody) {
        throw new HttpError(413, 'TOO_LARGE', `request body: ${length} bytes is over the limit of ${maxBody} bytes (${options.maxUpload} per file)`);
      }
    };

    const compute = (form: TryonForm, digest: string): Promise<StoredResult> =>
      queue.run(async () => {
        const person = await pipeline.analysePerson(form.person, 'person_image');
        const garment = form.garment
          ? await pipeline.analyseGarment(form.garment, { type: form.type, category: form.category, name: form.name, ...(form.color ? { color: form.color } : {}) })
          : await pipeline.template(form.type, form.color as string);
        const result = await pipeline.tryOn(person, garment, { size: form.size, layers: false });
        const jpeg = await encodeImage(result.image, 'jpeg', options.quality);
        return store.put(jpeg, 'jpg', 'image/jpeg', digest);
      });

    const resultUrl = (request: FastifyRequest, name: string): string => {
      if (options.publicUrl) return `${options.publicUrl}/api/results/${name}`;
      const host = request.headers.host;
      const base = typeof host === 'string' && SAFE_HOST.test(host) ? host : `${options.host.includes(':') ? `[${options.host}]` : options.host}:${request.socket.localPort}`;
      return `${request.protocol}://${base}/api/results/${name}`;
    };

    api.post('/api/virtual-tryon', { onRequest: [checkKey, checkBody] }, async (request, reply) => {
      const release = queue.admit();
      if (!release) {
        // Skip a small body first so the answer can keep the connection for the retry.
        await skipSmallBody(request);
        throw new HttpError(503, 'QUEUE_FULL', `Server busy: ${queue.admittedCount} requests in progress; retry later`, { 'retry-after': String(queue.retryAfterSeconds()) });
      }
      try {
        const form = await validateForm(await readForm(request, limits), limits);
        const digest = digestOf(form, options.quality);
        // Identical request within the TTL: same result. Identical request in flight: share it.
        let result = store.byRequest(digest);
        if (!result) {
          let pending = inflight.get(digest);
          if (!pending) {
            pending = compute(form, digest).finally(() => inflight.delete(digest));
            inflight.set(digest, pending);
          }
          result = await pending;
        }
        return reply.send({ success: true, result_image_url: resultUrl(request, result.name), message: SUCCESS_MESSAGE });
      } finally {
        release();
      }
    });
  });

  return app as TryonServer;
}
