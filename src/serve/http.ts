/**
 * The server's errors: one class with its HTTP answer decided, the mapping from whatever was
 * thrown (TryonError, fastify and busboy errors) to it, and the one function that sends the
 * API's error shape `{ success: false, message, code }`.
 */
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TryonError, httpStatusFor, type ErrorCode } from '../errors.ts';

/** Codes the server answers with beyond the library's own. */
export type ServeErrorCode = ErrorCode | 'NOT_MULTIPART' | 'UNAUTHORIZED' | 'RATE_LIMITED' | 'QUEUE_FULL' | 'SHUTTING_DOWN';

/** An error with its HTTP answer decided. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ServeErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Maps anything thrown to an HttpError; unknown failures become a 500 that leaks nothing. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof TryonError) return new HttpError(httpStatusFor(err.code), err.code, err.message);
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'TOO_LARGE', `request body: over the size limit (${e.message})`);
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new HttpError(400, 'BAD_INPUT', `request body: too many form fields (${e.message})`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new HttpError(415, 'NOT_MULTIPART', 'request body: expected multipart/form-data');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Busboy and fastify report malformed bodies ("Unexpected end of form", bad JSON, bad URL) as 4xx.
    return new HttpError(e.statusCode === 404 ? 404 : 400, e.statusCode === 404 ? 'NOT_FOUND' : 'BAD_INPUT', `request: ${e.message ?? 'malformed'}`);
  }
  if (/Unexpected end of (form|multipart data)|Malformed part header|Multipart: Boundary not found/i.test(e.message ?? '')) {
    return new HttpError(400, 'BAD_INPUT', `request body: malformed multipart form (${e.message})`);
  }
  return new HttpError(500, 'INTERNAL', 'internal error');
}

/** After answering, read (and discard) at most this much more of an unread body, for at most this long. */
const LINGER_BYTES = 1 << 20;
const LINGER_MS = 1000;

/**
 * A body we refused before reading it to the end (too large, queue full, bad field) is not
 * worth reading: answer with `Connection: close`, then cut the connection. Not at once: a
 * client still sending would get a reset and could lose the answer, so the close lingers,
 * discarding up to LINGER_BYTES or LINGER_MS (what nginx's lingering_close does), then ends.
 */
function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('connection', 'close');
  const socket = request.raw.socket as Socket & { destroySoon?: () => void };
  // Node calls destroySoon() once a `Connection: close` answer is written, while it discards the rest of the body.
  socket.destroySoon = () => {
    socket.end();
    // The HTTP parser reads the socket natively (no 'data' events), so watch its byte count.
    const limit = socket.bytesRead + LINGER_BYTES;
    const started = Date.now();
    const timer = setInterval(() => {
      if (socket.bytesRead > limit || Date.now() - started > LINGER_MS) socket.destroy();
    }, 10);
    timer.unref();
    socket.once('close', () => clearInterval(timer));
  };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: HttpError): FastifyReply {
  if (!request.raw.complete && request.raw.socket) closeAfterAnswer(request, reply);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.status).type('application/json').send({ success: false, message: err.message, code: err.code });
}

/**
 * Reads and discards a small body (declared at most LINGER_BYTES) so that a refusal can keep the
 * connection open for the client's retry; resolves false (and the answer closes the connection)
 * when the body is large, unsized, or does not arrive within LINGER_MS.
 */
export async function skipSmallBody(request: FastifyRequest): Promise<boolean> {
  const raw = request.raw;
  if (raw.complete) return true;
  const declared = Number(request.headers['content-length']);
  if (!Number.isFinite(declared) || declared > LINGER_BYTES) return false;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), LINGER_MS);
    function done(ok: boolean): void {
      clearTimeout(timer);
      raw.off('end', onEnd);
      raw.off('error', onError);
      resolve(ok);
    }
    const onEnd = (): void => done(true);
    const onError = (): void => done(false);
    raw.once('end', onEnd);
    raw.once('error', onError);
    raw.resume();
  });
}
