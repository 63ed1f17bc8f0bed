/**
 * `tryon serve`: parses options, creates the pipeline, starts the server (src/serve/app.ts) and
 * shuts it down gracefully on SIGTERM/SIGINT: stop accepting, finish requests in flight (for at
 * most the shutdown grace, then cut their connections), exit 0.
 */
import { Command, Option } from 'commander';
import { resolveServeOptions, type ServeOptionsInput } from '../serve/options.ts';
import { pipelineOptions, shared, type SharedFlags } from './options.ts';

interface ServeCliOptions extends SharedFlags {
  host: string;
  port: string;
  publicUrl?: string;
  apiKey?: string;
  maxUpload: string;
  maxPixels: string;
  ttl: string;
  concurrency?: string;
  queue?: string;
  uploadTimeout: string;
  uploadsPerClient: string;
  maxUploads?: string;
  shutdownGrace: string;
  rateLimit: string;
  corsOrigin?: string[];
  log?: boolean;
}

const WINDOW_NAMES: Record<number, string> = { 1000: 's', 60_000: 'min', 3_600_000: 'h' };

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the try-on REST API (POST /api/virtual-tryon, GET /api/results/:name, /api/health, /api/openapi.json)')
    .option('--host <host>', 'interface to listen on (0.0.0.0 to expose)', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', '8000')
    .option('--public-url <url>', 'base of result URLs (default: from the Host header)')
    .addOption(new Option('--api-key <key>', 'require this key in X-API-Key or Authorization: Bearer').env('TRYON_API_KEY'))
    .option('--max-upload <size>', 'largest upload per file', '10MB')
    .option('--max-pixels <n>', 'largest image in pixels', '25000000')
    .option('--ttl <duration>', 'how long results stay fetchable', '1h')
    .option('--concurrency <n>', 'try-ons computed at once (default: core count)')
    .option('--queue <n>', 'requests that may wait for a slot; beyond it 503 (default: 2 x concurrency)')
    .option('--upload-timeout <duration>', 'time a client has to send its whole request', '60s')
    .option('--uploads-per-client <n>', 'uploads one client may send at once', '4')
    .option('--max-uploads <n>', 'uploads received at once (default: 4 x (concurrency + queue))')
    .option('--shutdown-grace <duration>', 'on SIGTERM, time for requests in flight before their connections are cut', '30s')
    .option('--rate-limit <rate>', 'requests per client, e.g. 60/min, or off', '60/min')
    .option('--cors-origin <origins...>', 'origins allowed by CORS (* for any); none by default')
    .addOption(shared.threads())
    .addOption(shared.device())
    .addOption(shared.modelsDir())
    .addOption(shared.models())
    .option('--log', 'log each request to stdout (JSON lines)')
    .action(async (opts: ServeCliOptions) => {
      const pipelineFlags = pipelineOptions(opts);
      const input: ServeOptionsInput = {
        host: opts.host,
        port: opts.port,
        publicUrl: opts.publicUrl ?? null,
        apiKey: opts.apiKey ?? null,
        maxUpload: opts.maxUpload,
        maxPixels: opts.maxPixels,
        ttl: opts.ttl,
        uploadTimeout: opts.uploadTimeout,
        uploadsPerClient: opts.uploadsPerClient,
        shutdownGrace: opts.shutdownGrace,
        rateLimit: opts.rateLimit,
        corsOrigins: opts.corsOrigin ?? [],
        logger: opts.log === true,
        ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
        ...(opts.queue !== undefined ? { queue: opts.queue } : {}),
        ...(opts.maxUploads !== undefined ? { maxUploads: opts.maxUploads } : {}),
      };
      // Validate before loading anything, so a typo fails in milliseconds.
      const options = resolveServeOptions(input);
      // Loaded here, not at the top: `tryon --help` must not load ONNX Runtime.
      const { Tryon } = await import('../pipeline.ts');
      const { buildServer } = await import('../serve/app.ts');
      const { closeGracefully } = await import('../serve/shutdown.ts');
      const pipeline = await Tryon.create({
        ...pipelineFlags,
        concurrency: options.concurrency,
        // Uploads are never kept: no on-disk analysis cache for the server.
        cacheDir: null,
        person: { maxPixels: options.maxPixels },
        garment: { maxPixels: options.maxPixels },
      });
      const app = buildServer(pipeline, options);
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
      process.stdout.write(
        `tryon serving on http://${shown}:${port} (provider ${pipeline.registry.provider}, concurrency ${options.concurrency}, queue ${options.queue}` +
          `${options.apiKey ? ', API key required' : ''}${options.rateLimit ? `, rate limit ${options.rateLimit.max}/${WINDOW_NAMES[options.rateLimit.windowMs] ?? `${options.rateLimit.windowMs / 1000}s`}` : ''})\n`,
      );

      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) {
            // A second signal: the user means it.
            process.exit(130);
          }
          stopping = true;
          process.stderr.write(`${signal}: finishing requests in flight (at most ${options.shutdownGraceMs / 1000} s), then exiting\n`);
          resolve();
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      const { cut } = await closeGracefully(app, options.shutdownGraceMs);
      if (cut > 0) process.stderr.write(`${cut} connection(s) still open after the ${options.shutdownGraceMs / 1000} s grace: closed\n`);
      await pipeline.close();
      process.stdout.write('tryon server stopped\n');
      // ONNX Runtime's thread pools may keep the loop alive; everything is finished by now.
      process.exit(0);
    });
}
