/**
 * The server's options: one typed tree with a documented default for every field, parsed from
 * the human forms the CLI takes ("10MB", "1h", "60/min") and validated at the boundary with
 * src/validate.ts, so a bad value is refused before the server listens.
 */
import os from 'node:os';
import { TryonError } from '../errors.ts';
import { invalid, is, parseInteger } from '../validate.ts';

export interface RateLimit {
  /** Requests per client (IP address) per window. */
  max: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

export interface ServeOptions {
  /** Interface to listen on. Default '127.0.0.1' (loopback: expose deliberately). */
  host: string;
  /** TCP port; 0 picks a free one. Default 8000. */
  port: number;
  /** Base of the result URLs, e.g. 'https://tryon.example.com'; null derives it from the Host header. Default null. */
  publicUrl: string | null;
  /** When set, POST /api/virtual-tryon needs it in `X-API-Key` or `Authorization: Bearer`. Default null (env TRYON_API_KEY in the CLI). */
  apiKey: string | null;
  /** Largest accepted upload per file, bytes. Default 10 MB. */
  maxUpload: number;
  /** Largest accepted image, pixels (checked from the header, before decoding). Default 25 000 000. */
  maxPixels: number;
  /** How long a result stays fetchable (and an identical request is answered from it), ms. Default 1 hour. */
  ttlMs: number;
  /** Try-ons computed at once. Default: the core count. */
  concurrency: number;
  /**
   * Requests with a complete upload allowed to wait for a free slot; beyond it 503 +
   * Retry-After. Default 2 x concurrency.
   */
  queue: number;
  /**
   * Time a client has to send its whole request (headers and body), ms; a request still
   * arriving then is answered 408 and its connection closed (within a second). Default 60 s.
   */
  uploadTimeoutMs: number;
  /**
   * Uploads being received at once, over all clients; beyond it 503 + Retry-After. An upload in
   * progress holds no compute slot or queue place. Default 4 x (concurrency + queue).
   */
  maxUploads: number;
  /** Uploads one client (IP address) may be sending at once; beyond it 429 + Retry-After. Default 4. */
  uploadsPerClient: number;
  /**
   * On close (SIGTERM), how long requests in flight may take to finish before their
   * connections are cut, ms. Default 30 s.
   */
  shutdownGraceMs: number;
  /** Per-client rate limit; null turns it off. Default 60 per minute. */
  rateLimit: RateLimit | null;
  /** Origins allowed by CORS; [] sends no CORS headers, ['*'] allows any. Default []. */
  corsOrigins: string[];
  /** Most results kept at once (oldest dropped first). Default 1000. */
  maxResults: number;
  /** Most result bytes kept at once (oldest dropped first). Default 512 MB. */
  maxResultBytes: number;
  /** JPEG quality of results. Default 90. */
  quality: number;
  /** Log requests (fastify's pino logger) to stdout. Default false. */
  logger: boolean;
}

/** What a caller may pass: every field optional, sizes/durations/rates as numbers or strings. */
export interface ServeOptionsInput {
  host?: string;
  port?: number | string;
  publicUrl?: string | null;
  apiKey?: string | null;
  maxUpload?: number | string;
  maxPixels?: number | string;
  ttl?: number | string;
  concurrency?: number | string;
  queue?: number | string;
  uploadTimeout?: number | string;
  maxUploads?: number | string;
  uploadsPerClient?: number | string;
  shutdownGrace?: number | string;
  rateLimit?: RateLimit | string | null;
  corsOrigins?: string[] | string;
  maxResults?: number | string;
  maxResultBytes?: number | string;
  quality?: number | string;
  logger?: boolean;
}

const KNOWN_KEYS: readonly (keyof ServeOptionsInput)[] = [
  'host', 'port', 'publicUrl', 'apiKey', 'maxUpload', 'maxPixels', 'ttl', 'concurrency', 'queue',
  'uploadTimeout', 'maxUploads', 'uploadsPerClient', 'shutdownGrace', 'rateLimit', 'corsOrigins', 'maxResults', 'maxResultBytes', 'quality', 'logger',
];

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, min: 60e3, h: 3600e3, d: 86400e3 };

/** Parses a byte count: 10485760, "10MB", "512kb", "1.5 MiB". */
export function parseBytes(name: string, value: unknown): number {
  if (is.number(value) && Number.isInteger(value) && value > 0) return value;
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b)?\s*$/i.exec(value) : null;
  const unit = m ? (m[2] ?? 'b').toLowerCase() : '';
  if (!m || !(unit in BYTE_UNITS) || Number(m[1]) <= 0) throw invalid(name, 'size such as 10MB, 512KB or a byte count', value);
  return Math.round(Number(m[1]) * BYTE_UNITS[unit]);
}

/** Parses a duration to ms: 3600000, "1h", "30m", "90s", "500ms". */
export function parseDuration(name: string, value: unknown): number {
  if (is.number(value) && value > 0) return value;
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)\s*$/i.exec(value) : null;
  if (!m || Number(m[1]) <= 0) throw invalid(name, 'duration such as 1h, 30m or 90s', value);
  return Math.round(Number(m[1]) * TIME_UNITS[m[2].toLowerCase()]);
}

/** Parses a rate: "60/min", "10/s", "1000/h"; "off" or "0" turns the limit off. */
export function parseRate(name: string, value: unknown): RateLimit | null {
  if (value === null || value === 'off' || value === '0' || value === 0) return null;
  if (typeof value === 'object' && is.integer((value as RateLimit).max) && is.number((value as RateLimit).windowMs)) {
    return value as RateLimit;
  }
  const m = typeof value === 'string' ? /^\s*(\d+)\s*\/\s*(s|sec|second|m|min|minute|h|hour)\s*$/i.exec(value) : null;
  if (!m || Number(m[1]) < 1) throw invalid(name, 'rate such as 60/min, 5/s or off', value);
  const unit = m[2].toLowerCase()[0];
  return { max: Number(m[1]), windowMs: unit === 's' ? 1e3 : unit === 'm' ? 60e3 : 3600e3 };
}

function parsePublicUrl(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw invalid('publicUrl', 'http(s) URL such as https://tryon.example.com', value);
  }
  return url.href.replace(/\/+$/, '');
}

function parseOrigins(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((o) => typeof o === 'string')) throw invalid('corsOrigins', 'list of origins', value);
  // "a,b" and ["a", "b"] alike: the CLI may get either.
  const origins = list.flatMap((o: string) => o.split(',')).map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  for (const o of origins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/i.test(o)) throw invalid('corsOrigins', 'origins such as https://shop.example.com or *', o);
  }
  return origins;
}

/** Merges `input` over the defaults and validates every field. Throws TryonError BAD_OPTION. */
export function resolveServeOptions(input: ServeOptionsInput = {}): ServeOptions {
  for (const key of Object.keys(input)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      throw new TryonError('BAD_OPTION', `Unknown option ${key}; known: ${KNOWN_KEYS.join(', ')}`, { input: key });
    }
  }
  const host = input.host ?? '127.0.0.1';
  if (!is.string(host) || !/^[A-Za-z0-9.:_-]+$/.test(host)) throw invalid('host', 'host name or IP address', host);
  const concurrency = parseInteger('concurrency', input.concurrency ?? Math.max(1, os.availableParallelism()), 1, 256);
  const apiKey = input.apiKey ?? null;
  if (apiKey !== null && (!is.string(apiKey) || apiKey.length < 8 || /\s/.test(apiKey))) {
    throw invalid('apiKey', 'string of at least 8 characters without spaces', apiKey === null ? apiKey : '(hidden)');
  }
  const queue = parseInteger('queue', input.queue ?? 2 * concurrency, 0, 100_000);
  return {
    host,
    port: parseInteger('port', input.port ?? 8000, 0, 65535),
    publicUrl: parsePublicUrl(input.publicUrl),
    apiKey,
    maxUpload: parseBytes('maxUpload', input.maxUpload ?? '10MB'),
    maxPixels: parseInteger('maxPixels', input.maxPixels ?? 25_000_000, 1024, 1_000_000_000),
    ttlMs: parseDuration('ttl', input.ttl ?? '1h'),
    concurrency,
    queue,
    uploadTimeoutMs: parseDuration('uploadTimeout', input.uploadTimeout ?? '60s'),
    maxUploads: parseInteger('maxUploads', input.maxUploads ?? 4 * (concurrency + queue), 1, 100_000),
    uploadsPerClient: parseInteger('uploadsPerClient', input.uploadsPerClient ?? 4, 1, 100_000),
    shutdownGraceMs: parseDuration('shutdownGrace', input.shutdownGrace ?? '30s'),
    rateLimit: parseRate('rateLimit', input.rateLimit === undefined ? '60/min' : input.rateLimit),
    corsOrigins: parseOrigins(input.corsOrigins ?? []),
    maxResults: parseInteger('maxResults', input.maxResults ?? 1000, 1, 1_000_000),
    maxResultBytes: parseBytes('maxResultBytes', input.maxResultBytes ?? '512MB'),
    quality: parseInteger('quality', input.quality ?? 90, 1, 100),
    logger: input.logger ?? false,
  };
}
