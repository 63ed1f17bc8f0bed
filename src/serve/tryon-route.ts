/**
 * POST /api/virtual-tryon, after its header checks: an upload place while the form arrives
 * (never a queue place or compute slot: a client's pace is its own), the form read and
 * checked, then a queue place and a compute slot, then the result stored and its URL answered.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodeImage } from '../image/encode.ts';
import type { GarmentAnalysis, GarmentCategory, GarmentType, PersonAnalysis, Size, TryOnResult } from '../types.ts';
import { readForm, validateForm, type FormLimits, type TryonForm } from './form.ts';
import { isValidHost } from './guards.ts';
import { HttpError, skipSmallBody } from './http.ts';
import type { ServeOptions } from './options.ts';
import type { AdmissionQueue } from './queue.ts';
import type { ResultStore, StoredResult } from './store.ts';
import type { UploadGate } from './uploads.ts';

/** What the server needs from the pipeline; `Tryon` (src/pipeline.ts) satisfies it. */
export interface ServePipeline {
  analysePerson(bytes: Buffer, name: string): Promise<PersonAnalysis>;
  analyseGarment(bytes: Buffer, options: { type: GarmentType; category: GarmentCategory; color?: string; name: string }): Promise<GarmentAnalysis>;
  template(type: GarmentType, color: string): Promise<GarmentAnalysis>;
  tryOn(person: PersonAnalysis, garment: GarmentAnalysis, options: { size: Size; layers?: boolean }): Promise<TryOnResult>;
  readonly registry: { readonly provider: unknown; loaded(): unknown };
}

export interface TryonRouteDeps {
  pipeline: ServePipeline;
  queue: AdmissionQueue;
  uploads: UploadGate;
  store: ResultStore;
  options: ServeOptions;
}

const SUCCESS_MESSAGE = 'Virtual try-on completed successfully';

/** The route's handler. */
export function tryonHandler({ pipeline, queue, uploads, store, options }: TryonRouteDeps): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const receive = formReceiver(queue, uploads, { maxUpload: options.maxUpload, maxPixels: options.maxPixels });
  const compute = tryOnner(pipeline, queue, store, options.quality);
  return async (request, reply) => {
    const form = await receive(request);
    // The body is complete: only now does the request take a place in the queue.
    const release = queue.admit();
    if (!release) throw queueFull(queue);
    try {
      const result = await compute(form);
      return reply.send({ success: true, result_image_url: resultUrl(request, options, result.name), message: SUCCESS_MESSAGE, warnings: result.warnings });
    } finally {
      release();
    }
  };
}

function digestOf(form: TryonForm, quality: number): string {
  const h = createHash('sha256');
  h.update(createHash('sha256').update(form.person).digest());
  h.update(form.garment ? createHash('sha256').update(form.garment).digest() : 'template');
  h.update(JSON.stringify([form.type, form.color, form.size, quality]));
  return h.digest('hex');
}

function queueFull(queue: AdmissionQueue): HttpError {
  return new HttpError(503, 'QUEUE_FULL', `Server busy: ${queue.admittedCount} requests in progress; retry later`, { 'retry-after': String(queue.retryAfterSeconds()) });
}

/**
 * Reads and checks a request's form while it holds an upload place (not a queue place). A
 * request is refused before its upload is read when the queue is already full (no point
 * receiving 10 MB to refuse it) or the client or server has too many uploads going.
 */
function formReceiver(queue: AdmissionQueue, uploads: UploadGate, limits: FormLimits): (request: FastifyRequest) => Promise<TryonForm> {
  return async (request) => {
    let done: () => void;
    try {
      if (queue.full) throw queueFull(queue);
      done = uploads.begin(request.ip);
    } catch (err) {
      // Skip a small body first so the answer can keep the connection for the retry.
      await skipSmallBody(request);
      throw err;
    }
    try {
      return await validateForm(await readForm(request, limits), limits);
    } finally {
      done();
    }
  };
}

/**
 * Computes a form's try-on in a compute slot and stores the result; an identical request
 * within the TTL gets the stored result, one in flight shares the computation.
 */
function tryOnner(pipeline: ServePipeline, queue: AdmissionQueue, store: ResultStore, quality: number): (form: TryonForm) => Promise<StoredResult> {
  const inflight = new Map<string, Promise<StoredResult>>();
  const compute = (form: TryonForm, digest: string): Promise<StoredResult> =>
    queue.run(async () => {
      const person = await pipeline.analysePerson(form.person, 'person_image');
      const garment = form.garment
        ? await pipeline.analyseGarment(form.garment, { type: form.type, category: form.category, name: form.name, ...(form.color ? { color: form.color } : {}) })
        : await pipeline.template(form.type, form.color as string);
      const result = await pipeline.tryOn(person, garment, { size: form.size, layers: false });
      const jpeg = await encodeImage(result.image, 'jpeg', quality);
      return store.put(jpeg, 'jpg', 'image/jpeg', digest, result.warnings ?? []);
    });
  return async (form) => {
    const digest = digestOf(form, quality);
    const stored = store.byRequest(digest);
    if (stored) return stored;
    let pending = inflight.get(digest);
    if (!pending) {
      pending = compute(form, digest).finally(() => inflight.delete(digest));
      inflight.set(digest, pending);
    }
    return pending;
  };
}

/** The result's URL: under --public-url, else the request's own (validated) Host, else the listening address. */
function resultUrl(request: FastifyRequest, options: ServeOptions, name: string): string {
  if (options.publicUrl) return `${options.publicUrl}/api/results/${name}`;
  const host = request.headers.host;
  const base = typeof host === 'string' && isValidHost(host) ? host : `${options.host.includes(':') ? `[${options.host}]` : options.host}:${request.socket.localPort}`;
  return `${request.protocol}://${base}/api/results/${name}`;
}

