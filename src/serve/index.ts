/**
 * The server as a library (`import { buildServer } from 'tryon/serve'`): kept out of the main
 * entry so that library users who never serve do not load fastify.
 */
export { buildServer, type ServePipeline, type TryonServer } from './app.ts';
export { HttpError, toHttpError, type ServeErrorCode } from './http.ts';
export { resolveServeOptions, parseBytes, parseDuration, parseRate, type ServeOptions, type ServeOptionsInput, type RateLimit } from './options.ts';
export { ResultStore, RESULT_NAME, type StoredResult } from './store.ts';
export { AdmissionQueue } from './queue.ts';
export { UploadGate } from './uploads.ts';
export { closeGracefully, type ShutdownReport } from './shutdown.ts';
export { openApiDocument } from './openapi.ts';
