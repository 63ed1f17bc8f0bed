/**
 * Checks on a request's headers, run in onRequest hooks before a byte of its body is read:
 * the Host header (it may end up in a result URL), the body's type and multipart boundary
 * (busboy throws on a boundary it cannot search for), its declared length, and which methods
 * a known path allows (405 with `Allow` rather than 404).
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http.ts';

/** A host name (labels of letters, digits, hyphens), an IPv4 address or a [bracketed IPv6], and an optional port. */
const HOST = /^(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

/** Whether a Host header is a valid `host[:port]` (RFC 3986 reg-name or IP literal, port 0-65535). */
export function isValidHost(host: string): boolean {
  const m = HOST.exec(host);
  return m !== null && host.length <= 260 && (m[1] === undefined || Number(m[1]) <= 65535);
}

/**
 * Refuses a Host header that is not a valid host[:port] (400): it is echoed into result URLs
 * when no public URL is configured. HTTP/1.1 requires one (Node's own check, which answers
 * with an empty body, is turned off in favour of this one).
 */
export async function checkHost(request: FastifyRequest): Promise<void> {
  const host = request.headers.host;
  if (host === undefined && request.raw.httpVersion === '1.1') throw new HttpError(400, 'BAD_INPUT', 'Host header: required in HTTP/1.1');
  if (host !== undefined && !isValidHost(host)) {
    throw new HttpError(400, 'BAD_INPUT', `Host header: expected host[:port] but received ${JSON.stringify(host.slice(0, 80))}`);
  }
}

/** RFC 2046 boundary characters: 1 to 70 of them, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** The boundary parameter of a multipart Content-Type, unquoted; undefined when absent. */
function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i.exec(contentType);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

/**
 * The body must be multipart/form-data (415) with a well-formed boundary (400) and a declared
 * length, if any, within `maxBody` (413).
 */
export function checkBody(maxBody: number, maxUpload: number): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const type = request.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;/i.test(type)) {
      throw new HttpError(415, 'NOT_MULTIPART', `request body: expected multipart/form-data but received ${type ? JSON.stringify(type.slice(0, 80)) : 'no Content-Type'}`);
    }
    const boundary = boundaryOf(type);
    if (boundary === undefined || !BOUNDARY.test(boundary)) {
      const shown =
        boundary === undefined ? 'none' : boundary.length > 40 ? `${JSON.stringify(boundary.slice(0, 40))}... (${boundary.length} characters)` : JSON.stringify(boundary);
      throw new HttpError(400, 'BAD_INPUT', `Content-Type: expected a multipart boundary of 1 to 70 letters, digits or '()+_,-./:=? but received ${shown}`);
    }
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > maxBody) {
      throw new HttpError(413, 'TOO_LARGE', `request body: ${length} bytes is over the limit of ${maxBody} bytes (${maxUpload} per file)`);
    }
  };
}

/** The methods each path of the API answers (HEAD with GET). */
const ROUTES: { path: RegExp; methods: string[] }[] = [
  { path: /^\/api\/virtual-tryon$/, methods: ['POST'] },
  { path: /^\/api\/health$/, methods: ['GET', 'HEAD'] },
  { path: /^\/api\/openapi\.json$/, methods: ['GET', 'HEAD'] },
  { path: /^\/api\/results\/[^/]+$/, methods: ['GET', 'HEAD'] },
];

/** The methods allowed on a known path, or null for a path the API does not have. */
export function allowedMethods(url: string): string[] | null {
  const pathname = url.split('?')[0];
  return ROUTES.find((r) => r.path.test(pathname))?.methods ?? null;
}
