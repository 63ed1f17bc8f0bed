/**
 * tryon's library API. The CLI (src/cli) and the server (src/serve) are thin layers over it.
 */
export { Tryon, type TryonOptions } from './pipeline.ts';
export { resolveConfig, defaultConfig, DEVICES, type Device, type TryonConfig } from './config.ts';
export { TryonError, type ErrorCode, exitCodeFor, httpStatusFor } from './errors.ts';
export { decodeImage, sniffFormat } from './image/decode.ts';
export { encodeImage } from './image/encode.ts';
export { resolveFormat } from './image/format.ts';
export * from './types.ts';
export {
  runCatalog,
  planCatalog,
  loadManifest,
  parseManifest,
  findPersons,
  planBatch,
  parseShard,
  runBatch,
  writeIndex,
  type CatalogSpec,
  type CatalogEvent,
  type CatalogRunOptions,
  type BatchPipeline,
  type BatchEvent,
  type BatchSummary,
  type BatchPlan,
  type GarmentSpec,
  type PairRecord,
  type ResultsDoc,
} from './batch/index.ts';
