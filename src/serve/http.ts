/**
 * The server's errors: one class with its HTTP answer decided, the mapping from whatever was
 * thrown (TryonError, fastify and busboy errors) to it, and the one function that sends the
 * API's error shape `{ success: false, message, code }`.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TryonError, httpStatusFor, type ErrorCode } from '../errors.ts';

/** Codes the server answers with beyond the library's own. */
export type ServeErrorCode =
  | ErrorCode
  | 'NOT_MULTIPART'
  | 'UNAUTHORIZED'
  | 'RATE_LIMITED'
  | 'TOO_MANY_UPLOADS'
  | 'QUEUE_FULL'
  | 'SHUTTING_DOWN'
  | 'METHOD_NOT_ALLOWED'
  | 'REQUEST_TIMEOUT'
  | 'HEADERS_TOO_LARGE';

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
  return reply.code(err.status).type('application/json').send(errorBody(err));
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

/** The body of an error answer, in the API's one shape. */
function errorBody(err: HttpError): string {
  return JSON.stringify({ success: false, message: err.message, code: err.code });
}

/**
 * Node's own answers, for requests that never reach fastify's routing (a malformed request
 * line or header, headers over the size limit, a request not received in time), in the API's
 * error shape instead of fastify's `{error, statusCode}`. Written straight to the socket,
 * which is then closed: the connection's framing can no longer be trusted.
 */
export function clientErrorHandler(uploadTimeoutMs: number): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => {
    // A reset connection has no one left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    let answer: HttpError;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      answer = new HttpError(408, 'REQUEST_TIMEOUT', `request: not received in full within ${uploadTimeoutMs / 1000} s`);
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      answer = new HttpError(431, 'HEADERS_TOO_LARGE', 'request: headers over the size limit');
    } else {
      answer = new HttpError(400, 'BAD_INPUT', `request: malformed HTTP (${err.code ?? 'parse error'})`);
    }
    const body = errorBody(answer);
    // Only when no answer has begun on this connection (a refused upload may already have had
    // its answer and be lingering): a second status line would corrupt the stream.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      socket.write(
        `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/** Whether the client closed its connection before its request arrived in full (an abort, not an error of ours). */
export function clientGone(request: FastifyRequest): boolean {
  const raw = request.raw;
  return !raw.complete && (raw.aborted || raw.socket === null || raw.socket.destroyed);
}
