/**
 * `tryon batch`: every person photo x every garment of a catalog manifest. Parses and checks
 * the flags into a CatalogSpec, then prints the plan (--dry-run) or calls runCatalog (the
 * library: src/batch/catalog.ts) and draws its events (batch-report.ts). Exit codes: 0 all pairs
 * done, 1 some failed, 2 bad usage or nothing to do, 130 interrupted (143 for SIGTERM): the
 * first Ctrl-C finishes the pairs in flight and saves, a second quits at once.
 */
import { Command, Option } from 'commander';
import { asTryonError } from '../errors.ts';
import { OUTPUT_FORMATS, SIZES, type OutputFormat, type Size } from '../types.ts';
import { oneOf, parseInteger } from '../validate.ts';
import type { CatalogSpec } from '../batch/catalog.ts';
import { parseShard } from '../batch/plan.ts';
import { colours } from './output.ts';
import { createReporter, printPlan, StdoutLines } from './batch-report.ts';
import { pipelineOptions, shared, type SharedFlags } from './options.ts';

interface BatchFlags extends SharedFlags {
  persons: string[];
  catalog: string;
  out: string;
  format: string;
  quality: string;
  size?: string;
  concurrency?: string;
  thumbnails: boolean;
  resume?: boolean;
  shard?: string;
  dryRun?: boolean;
  json?: boolean;
  workers?: string;
}

/** Checks the flags (before anything is loaded); every refusal is a BAD_OPTION naming the flag. */
export function parseBatchFlags(o: BatchFlags): CatalogSpec {
  const concurrency = o.concurrency === undefined ? undefined : parseInteger('--concurrency', o.concurrency, 1, 256);
  return {
    persons: o.persons,
    catalog: o.catalog,
    out: o.out,
    output: {
      format: oneOf('--format', o.format === 'jpg' ? 'jpeg' : o.format, OUTPUT_FORMATS) as OutputFormat,
      quality: parseInteger('--quality', o.quality, 1, 100),
      size: o.size === undefined ? null : (oneOf('--size', o.size.toUpperCase(), SIZES) as Size),
      thumbnails: o.thumbnails !== false,
    },
    resume: o.resume === true,
    shard: o.shard === undefined ? null : parseShard(o.shard),
    processes: o.workers === undefined ? 1 : parseInteger('--workers', o.workers, 1, 64),
    pipeline: { ...pipelineOptions(o), ...(concurrency !== undefined ? { concurrency } : {}) },
  };
}

async function batchAction(o: BatchFlags, stdout: StdoutLines): Promise<void> {
  const spec = parseBatchFlags(o);
  const json = o.json === true;
  const reporter = createReporter({ json, colours: colours(), stdout });
  // Loaded here, not at the top: `tryon --help` must not load the batch machinery.
  const { planCatalog, runCatalog } = await import('../batch/catalog.ts');
  if (o.dryRun) {
    printPlan(await planCatalog(spec, { onEvent: (e) => reporter.event(e) }), json, stdout);
    return;
  }
  const controller = new AbortController();
  let lastSignal: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (lastSignal) process.exit(signal === 'SIGTERM' ? 143 : 130); // the user means it
    lastSignal = signal;
    reporter.interrupted(signal);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runCatalog(spec, { onEvent: (e) => reporter.event(e), signal: controller.signal });
    // 130 for Ctrl-C, 143 for SIGTERM (a preempted CI job or pod), as shells report them.
    process.exitCode = summary.interrupted && lastSignal === 'SIGTERM' ? 143 : summary.exitCode;
  } finally {
    reporter.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerBatch(program: Command): void {
  program
    .command('batch')
    .description('Every person photo in every garment of a catalog: outputs, results.json and an index.html contact sheet')
    .requiredOption('--persons <glob...>', 'person photos: files, folders or glob patterns (quote them)')
    .requiredOption('--catalog <manifest>', 'catalog manifest: JSON ({"garments": [...]} or an array) or CSV with a header line')
    .requiredOption('--out <dir>', 'output folder: <out>/<person>/<garment>.<ext>, results.json, index.html')
    .option('--format <format>', `output format: ${OUTPUT_FORMATS.join(', ')}`, 'jpeg')
    .option('--quality <n>', 'JPEG/WebP quality 1-100', '90')
    .option('--size <size>', `garment size where the manifest gives none: ${SIZES.join(', ')}`)
    .option('--concurrency <n>', 'pairs in flight; also sizes ONNX Runtime and sharp threads (default: core count)')
    .option('--workers <n>', 'processes, each with its own models and render threads (rarely needed now that pairs render in threads; default 1)')
    .addOption(new Option('--no-thumbnails', 'no thumbnails under <out>/.thumbs (index.html then shows the full outputs)'))
    .option('--resume', 'skip pairs whose output exists and whose inputs and options are unchanged')
    .option('--shard <i/n>', 'run only part i of n of the pairs (CI matrix, Kubernetes indexed job)')
    .option('--dry-run', 'print the plan and exit')
    .option('--json', 'newline-delimited JSON events on stdout (start, pair-done, pair-failed, summary)')
    .addOption(shared.threads())
    .addOption(shared.device())
    .addOption(shared.modelsDir())
    .addOption(shared.models())
    .addOption(shared.cacheDir())
    .addOption(shared.noCache())
    .addHelpText(
      'after',
      '\nExit codes: 0 all pairs done, 1 some pairs failed, 2 bad usage or nothing to do, 130 interrupted.\n' +
        'Example:\n  tryon batch --persons "photos/*.jpg" --catalog catalog.json --out out --resume\n',
    )
    .action(async (o: BatchFlags) => {
      const stdout = new StdoutLines();
      try {
        await batchAction(o, stdout);
      } catch (err) {
        if (o.json) {
          const e = asTryonError(err);
          stdout.write(`${JSON.stringify({ type: 'error', code: e.code, message: e.message })}\n`);
        }
        throw err;
      }
    });
}
