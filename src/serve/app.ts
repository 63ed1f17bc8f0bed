/**
 * The REST server over the library pipeline, safe to expose: fastify for its hooks (rate
 * limit -> Host -> API key -> content type and length run before a byte of the body is read),
 * its body limits and close; @fastify/multipart (busboy) because it streams the form and stops
 * at a byte limit instead of buffering whatever arrives.
 *
 * A try-on request goes: rate limit (every request to a limited path counts, whatever its
 * fate) -> header checks -> an upload place (bounded per client and in total; never a compute
 * slot, whatever the client's pace) -> the whole form, read and checked -> the queue (admits
 * complete requests only, up to concurrency + queue) -> a compute slot -> the result store.
 *
 * The pipeline is injected (`ServePipeline`, which `Tryon` satisfies), so the server owns no
 * models: the CLI creates the pipeline, the server borrows it, the CLI closes it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { PACKAGE_ROOT } from '../config.ts';
import { requireApiKey } from './auth.ts';
import { allowedMethods, checkBody, checkHost } from './guards.ts';
import { HttpError, clientErrorHandler, clientGone, sendError, toHttpError } from './http.ts';
import { openApiDocument } from './openapi.ts';
import { resolveServeOptions, type ServeOptions, type ServeOptionsInput } from './options.ts';
import { AdmissionQueue } from './queue.ts';
import { RESULT_NAME, ResultStore } from './store.ts';
import { tryonHandler, type ServePipeline } from './tryon-route.ts';
import { UploadGate } from './uploads.ts';

export type { ServePipeline } from './tryon-route.ts';

export interface TryonServer extends FastifyInstance {}

const VERSION: string = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
/** Paths the rate limit leaves alone: load balancers and API clients poll them. */
const UNLIMITED = new Set(['/api/health', '/api/openapi.json']);
/**
 * How often Node checks its request and header timeouts (its default, 30 s, let a stalled
 * body live 60 + 30 s against a promise of 60).
 */
const TIMEOUT_CHECK_MS = 1000;
/** Retry-After for a client refused an upload place: uploads of a normal client take seconds. */
const UPLOAD_RETRY_SECONDS = 5;
/** Clients the rate limit remembers at once (an LRU; ~100 bytes each, so ~1 MB). */
const RATE_LIMIT_CLIENTS = 10_000;

function modelNames(loaded: unknown): string[] {
  if (!Array.isArray(loaded)) return [];
  return loaded.map((m) => (typeof m === 'string' ? m : String((m as { name?: unknown; id?: unknown })?.name ?? (m as { id?: unknown })?.id ?? '?')));
}

/**
 * Builds the server (not listening yet: call `listen`). `close()` on it stops accepting,
 * finishes the requests in flight and stops the result sweep; it does not close the pipeline.
 * `closeGracefully` (./shutdown.ts) bounds how long that may take.
 */
export function buildServer(pipeline: ServePipeline, input: ServeOptions | ServeOptionsInput = {}): TryonServer {
  const options: ServeOptions = 'ttlMs' in input ? (input as ServeOptions) : resolveServeOptions(input as ServeOptionsInput);
  const ctx: ServerContext = {
    pipeline,
    options,
    store: new ResultStore({ ttlMs: options.ttlMs, maxCount: options.maxResults, maxBytes: options.maxResultBytes }),
    queue: new AdmissionQueue(options.concurrency, options.queue),
    uploads: new UploadGate(options.maxUploads, options.uploadsPerClient, UPLOAD_RETRY_SECONDS),
    closing: false,
  };
  const app = createFastify(options);
  addLifecycleHooks(app, ctx);
  addErrorHandler(app, options);
  registerPlugins(app, options);
  app.register(async (api) => registerRoutes(api, ctx));
  return app as TryonServer;
}

/** What the server's hooks and routes share: the pipeline, the options, its stores and whether it is closing. */
interface ServerContext {
  pipeline: ServePipeline;
  options: ServeOptions;
  store: ResultStore;
  queue: AdmissionQueue;
  uploads: UploadGate;
  closing: boolean;
}

/** The fastify instance: timeouts, body limit, the API's error shape for framework and client errors. */
function createFastify(options: ServeOptions): FastifyInstance {
  const timeout = options.uploadTimeoutMs;
  return Fastify({
    logger: options.logger,
    // JSON bodies are refused anyway; keep what fastify buffers for them small.
    bodyLimit: 64 * 1024,
    // A client has this long to send its whole request (Node answers 408, in our shape, and
    // closes), checked every second rather than every 30 s.
    requestTimeout: timeout,
    // (A missing Host is refused by checkHost, in the API's shape.)
    http: { requestTimeout: timeout, headersTimeout: Math.min(60_000, timeout), connectionsCheckingInterval: TIMEOUT_CHECK_MS, requireHostHeader: false },
    clientErrorHandler: clientErrorHandler(timeout),
    // Finish requests in flight on close; drop idle keep-alive sockets so close is prompt.
    forceCloseConnections: 'idle',
    // Our own hook answers during close, in the API's error shape.
    return503OnClosing: false,
    frameworkErrors: (err, request, reply) => {
      sendError(request, reply, toHttpError(err));
    },
  }) as unknown as FastifyInstance;
}

/** Security headers on every answer, and the close sequence (draining health, 503 to new requests). */
function addLifecycleHooks(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // JSON answers carry result URLs and queue state: never from a cache. (Images set their own.)
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // While closing, the answers to requests in flight end their connections too; otherwise a
    // kept-alive socket would hold close() open for the whole keep-alive timeout.
    if (ctx.closing) reply.header('connection', 'close');
  });
  // On close: health turns 503 "draining" (load balancers stop sending), other new requests on
  // kept-alive connections get 503 in our shape, requests in flight finish.
  app.addHook('preClose', async () => {
    ctx.closing = true;
  });
  app.addHook('onRequest', async (request) => {
    if (ctx.closing && request.url !== '/api/health') {
      throw new HttpError(503, 'SHUTTING_DOWN', 'Server is shutting down; retry shortly', { 'retry-after': '5', connection: 'close' });
    }
  });
  app.addHook('onClose', async () => {
    ctx.store.close();
  });
}

/** Every error in the API's shape; a server error's cause logged (a client that left: one line). */
function addErrorHandler(app: FastifyInstance, options: ServeOptions): void {
  app.setErrorHandler((err, request, reply) => {
    if (clientGone(request)) {
      logAbort(request, options.logger);
      return sendError(request, reply, new HttpError(400, 'BAD_INPUT', 'request: connection closed before the request arrived in full'));
    }
    const http = toHttpError(err);
    if (http.status >= 500 && http.status !== 503) {
      // The answer says only "internal error"; the operator needs the cause even without --log.
      if (options.logger) request.log.error(err);
      else process.stderr.write(`tryon serve: ${request.method} ${request.url.slice(0, 100)} failed: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    return sendError(request, reply, http);
  });
}

/** Multipart with the upload limit, CORS when origins are set, the rate limiter (applied in registerRoutes). */
function registerPlugins(app: FastifyInstance, options: ServeOptions): void {
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
      // Not as the plugin's own route hook, which would run after the routes' key and body
      // checks (refused requests would go uncounted): first in the API's hooks, below.
      global: false,
      max: options.rateLimit.max,
      timeWindow: options.rateLimit.windowMs,
      // Clients remembered (least recently seen dropped first): ~100 bytes each.
      cache: RATE_LIMIT_CLIENTS,
      errorResponseBuilder: (_request, context) =>
        new HttpError(429, 'RATE_LIMITED', `Rate limit of ${context.max} requests per ${context.after} exceeded; retry later`, {
          'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
        }),
    });
  }
}

/** The API: rate limit and Host check first, then health, the OpenAPI document, results and the try-on. */
function registerRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const { options, pipeline, queue, uploads, store } = ctx;
  // Every request to a limited path counts, whatever its fate (unknown paths included):
  // otherwise wrong API keys and bad bodies could be tried without limit.
  if (options.rateLimit) {
    const limit = api.rateLimit();
    api.addHook('onRequest', async function (request, reply) {
      if (!UNLIMITED.has(request.routeOptions.url ?? '')) await limit.call(this, request, reply);
    });
  }
  api.addHook('onRequest', checkHost);
  api.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(request.url);
    if (allowed && !allowed.includes(request.method)) {
      const methods = options.corsOrigins.length > 0 ? [...allowed, 'OPTIONS'] : allowed;
      return sendError(request, reply, new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here; allowed: ${methods.join(', ')}`, { allow: methods.join(', ') }));
    }
    return sendError(request, reply, new HttpError(404, 'NOT_FOUND', `No such endpoint: ${request.method} ${request.url.slice(0, 100)}`));
  });

  api.get('/api/health', async (_request, reply) => reply.code(ctx.closing ? 503 : 200).send({
    status: ctx.closing ? 'draining' : 'ok',
    version: VERSION,
    models_loaded: modelNames(pipeline.registry.loaded()),
    execution_provider: String(pipeline.registry.provider),
    queue: { depth: queue.depth, active: queue.active, concurrency: queue.concurrency, limit: queue.queueLimit },
    uploads: { active: uploads.active, limit: uploads.limit, per_client: uploads.clientLimit },
    results_stored: store.size,
    results_bytes: store.totalBytes,
  }));

  const document = openApiDocument(VERSION, options);
  api.get('/api/openapi.json', async () => document);

  // No API key here: the 128-bit random name is the capability, so <img src> works in a browser.
  api.get<{ Params: { filename: string } }>('/api/results/:filename', async (request, reply) => {
    const name = request.params.filename;
    const result = RESULT_NAME.test(name) ? store.get(name) : null;
    if (!result) throw new HttpError(404, 'NOT_FOUND', 'No such result (it may have expired)');
    const maxAge = Math.max(0, Math.floor((result.expires - Date.now()) / 1000));
    return reply.type(result.contentType).header('cache-control', `private, max-age=${maxAge}, immutable`).send(result.data);
  });

  // Two files and four short fields, with room for part headers and boundaries.
  const maxBody = 2 * options.maxUpload + 64 * 1024;
  const onRequest = [requireApiKey(options.apiKey), checkBody(maxBody, options.maxUpload)];
  api.post('/api/virtual-tryon', { onRequest }, tryonHandler({ pipeline, queue, uploads, store, options }));
}

/** One line for a client that went away mid-request (not a server error: no stack trace). */
function logAbort(request: FastifyRequest, logger: boolean): void {
  const received = request.raw.socket?.bytesRead ?? 0;
  const declared = request.headers['content-length'];
  const what = `connection closed before the request arrived in full (${received} bytes received${declared ? ` of ${declared} declared` : ''})`;
  if (logger) request.log.info({ received }, what);
  else process.stderr.write(`tryon serve: ${request.method} ${request.url.slice(0, 100)}: ${what}\n`);
}
