/**
 * The optional API key: `X-API-Key: KEY` or `Authorization: Bearer KEY`, compared in constant
 * time. Checked in an onRequest hook, before any of the body is read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http.ts';

/** Constant-time key check: both sides hashed first, so their lengths leak nothing either. */
export function keyMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = request.headers.authorization;
  const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return m ? m[1] : null;
}

/** The onRequest hook refusing requests without the key (401); a no-op when no key is set. */
export function requireApiKey(apiKey: string | null): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (apiKey === null) return;
    const key = presentedKey(request);
    if (key === null) throw new HttpError(401, 'UNAUTHORIZED', 'API key required: send it in X-API-Key or Authorization: Bearer', { 'www-authenticate': 'Bearer' });
    if (!keyMatches(key, apiKey)) throw new HttpError(401, 'UNAUTHORIZED', 'API key is wrong', { 'www-authenticate': 'Bearer' });
  };
}
