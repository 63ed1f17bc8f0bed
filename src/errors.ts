/**
 * One error type for the whole library. `code` is stable and machine-readable: the CLI maps
 * it to an exit code, the server to an HTTP status (see `httpStatusFor` / `exitCodeFor`).
 */
export type ErrorCode =
  | 'BAD_OPTION' // an option or field has a wrong value (usage error)
  | 'BAD_INPUT' // an input file or upload is unusable (unreadable, truncated, not an image)
  | 'UNSUPPORTED_FORMAT' // bytes are not an image format we read
  | 'TOO_LARGE' // over the pixel or byte limit
  | 'NO_PERSON' // no person found in a person photo
  | 'NO_GARMENT' // no garment found in a garment photo
  | 'BAD_MANIFEST' // a catalog manifest entry is wrong
  | 'NOT_FOUND' // a file or result does not exist
  | 'MODEL' // a model file is missing, corrupt or fails to load
  | 'DEVICE' // the requested execution provider is not available
  | 'INTERRUPTED' // stopped by a signal before it ran (a batch pair never started)
  | 'INTERNAL'; // a bug: anything else

export class TryonError extends Error {
  readonly code: ErrorCode;
  /** What the user can do about it, printed under the message by the CLI. */
  readonly suggestion?: string;
  /** The input this is about (a path, an upload field, a manifest entry). */
  readonly input?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { suggestion?: string; input?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TryonError';
    this.code = code;
    this.suggestion = options.suggestion;
    this.input = options.input;
  }

  toJSON(): { code: ErrorCode; message: string; input?: string } {
    return { code: this.code, message: this.message, ...(this.input ? { input: this.input } : {}) };
  }
}

/** Wraps anything thrown into a TryonError, keeping TryonErrors as they are. */
export function asTryonError(err: unknown): TryonError {
  if (err instanceof TryonError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TryonError('INTERNAL', message, { cause: err });
}

/** Exit codes: 2 for usage and input-definition errors, 130 when interrupted, 1 for everything else. */
export function exitCodeFor(code: ErrorCode): number {
  return code === 'BAD_OPTION' || code === 'BAD_MANIFEST' ? 2 : code === 'INTERRUPTED' ? 130 : 1;
}

export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'BAD_OPTION':
    case 'BAD_MANIFEST':
    case 'BAD_INPUT':
      return 400;
    case 'TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_FORMAT':
      return 415;
    case 'NO_PERSON':
    case 'NO_GARMENT':
      return 422;
    case 'NOT_FOUND':
      return 404;
    case 'INTERRUPTED':
      return 503;
    case 'DEVICE':
    case 'MODEL':
    case 'INTERNAL':
      return 500;
  }
}
