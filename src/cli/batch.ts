/**
 * `tryon batch`: every person photo x every garment of a catalog manifest. Parses and checks
 * the options, builds the plan (src/batch), prints it (--dry-run) or runs it, and reports:
 * a progress bar on a terminal, one line per failure, a summary; or, with --json, one JSON
 * event per line on stdout. Exit codes: 0 all pairs done, 1 some failed, 2 bad usage or
 * nothing to do, 130 interrupted (Ctrl-C finishes the pairs in flight and saves first).
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { DEVICES, resolveConfig, type Device } from '../config.ts';
import { TryonError, asTryonError } from '../errors.ts';
import { OUTPUT_FORMATS, SIZES, type OutputFormat, type Size } from '../types.ts';
import { integerIn, invalid, is, oneOf } from '../validate.ts';
import { loadManifest } from '../batch/manifest.ts';
import { findPersons } from '../batch/persons.ts';
import { parseShard, planBatch, usedInputs, type BatchPlan } from '../batch/plan.ts';
import { preparePlan, type Prepared } from '../batch/prepare.ts';
import { toolVersion } from '../batch/digest.ts';
import { resultsFileName } from '../batch/results.ts';
import type { BatchEvent } from '../batch/runner.ts';
import { colours, printWarning } from './output.ts';
import { createReporter, writeStdout } from './batch-report.ts';

interface BatchCliOptions {
  persons: string[];
  catalog: string;
  out: string;
  format: string;
  quality: string;
  size?: string;
  concurrency?: string;
  device: string;
  models?: string;
  cacheDir?: string;
  cache: boolean;
  thumbnails: boolean;
  resume?: boolean;
  shard?: string;
  dryRun?: boolean;
  json?: boolean;
  workers?: string;
  threads?: string;
  worker?: string;
}

function toInteger(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!is.integer(n)) throw invalid(name, `integer between ${min} and ${max}`, text);
  return integerIn(name, n, min, max);
}

/** Settings of the pipeline that change the pictures: part of every pair's digest. */
function pictureSettings(config: ReturnType<typeof resolveConfig>): unknown {
  return { person: config.person, garment: config.garment };
}

function printPlan(plan: BatchPlan, prepared: Prepared, json: boolean): void {
  const used = usedInputs(plan.pairs.filter((p) => !prepared.skip.has(p.key)));
  const templates = used.garments.filter((g) => !g.image).length;
  if (json) {
    const event = {
      type: 'plan',
      out: plan.outDir,
      shard: plan.shard,
      total: plan.totalPairs,
      pairs: plan.pairs.length,
      skipped: prepared.skip.size,
      toRender: plan.pairs.length - prepared.skip.size,
      personAnalyses: used.persons.length,
      garmentAnalyses: used.garments.length,
      templates,
      results: path.join(plan.outDir, resultsFileName(plan.shard)),
      list: plan.pairs.map((p) => ({ person: p.person.name, garment: p.garment.name, output: p.output, size: p.size, skip: prepared.skip.has(p.key) })),
    };
    writeStdout(`${JSON.stringify(event)}\n`);
    return;
  }
  const c = colours(process.stdout);
  const out = (s: string): void => writeStdout(`${s}\n`);
  out(`${c.bold('plan')} ${plan.persons.length} persons x ${plan.garments.length} garments = ${plan.totalPairs} pairs`);
  if (plan.shard) out(`  shard ${plan.shard.index}/${plan.shard.count}: ${plan.pairs.length} pairs`);
  out(`  to render: ${plan.pairs.length - prepared.skip.size}${prepared.skip.size ? `, kept from an earlier run (--resume): ${prepared.skip.size}` : ''}`);
  out(`  analyses: ${used.persons.length} persons + ${used.garments.length} garments (${templates} built-in templates); renders: ${plan.pairs.length - prepared.skip.size}`);
  out(`  outputs: ${path.join(plan.outDir, '<person>', `<garment>.${plan.pairs[0]?.output.split('.').pop() ?? 'jpg'}`)}`);
  out(`  results: ${path.join(plan.outDir, resultsFileName(plan.shard))}, contact sheet: ${path.join(plan.outDir, 'index.html')}`);
  for (const p of plan.pairs.slice(0, 20)) out(`  ${prepared.skip.has(p.key) ? c.dim('keep  ') : 'render'} ${p.person.name} x ${p.garment.name}${p.size ? ` (${p.size})` : ''} -> ${p.output}`);
  if (plan.pairs.length > 20) out(`  ... and ${plan.pairs.length - 20} more (--json lists them all)`);
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
    .option('--threads <n>', 'render worker threads (default: core count; 0 renders on the main thread)')
    .option('--workers <n>', 'processes, each with its own models and render threads (rarely needed now that pairs render in threads; default 1)')
    .addOption(new Option('--worker <k/n>', 'internal: this process is worker k of n of --workers').hideHelp())
    .option('--device <device>', `execution provider: ${DEVICES.join(', ')}`, 'auto')
    .option('--models <dir>', 'models folder (default: the package models/)')
    .option('--cache-dir <dir>', 'person analysis cache folder (default: ~/.cache/tryon)')
    .option('--no-cache', 'do not read or write the person analysis cache')
    .option('--no-thumbnails', 'no thumbnails under <out>/.thumbs (index.html then shows the full outputs)')
    .option('--resume', 'skip pairs whose output exists and whose inputs and options are unchanged')
    .option('--shard <i/n>', 'run only part i of n of the pairs (CI matrix, Kubernetes indexed job)')
    .option('--dry-run', 'print the plan and exit')
    .option('--json', 'newline-delimited JSON events on stdout (start, pair-done, pair-failed, summary)')
    .addHelpText(
      'after',
      '\nExit codes: 0 all pairs done, 1 some pairs failed, 2 bad usage or nothing to do, 130 interrupted.\n' +
        'Example:\n  tryon batch --persons "photos/*.jpg" --catalog catalog.json --out out --resume\n',
    )
    .action(async (opts: BatchCliOptions) => {
      try {
        await batchAction(opts);
      } catch (err) {
        if (opts.json) {
          const e = asTryonError(err);
          writeStdout(`${JSON.stringify({ type: 'error', code: e.code, message: e.message })}\n`);
        }
        throw err;
      }
    });
}

async function batchAction(opts: BatchCliOptions): Promise<void> {
  // ---- options, checked before anything is loaded
  const format = oneOf('--format', opts.format === 'jpg' ? 'jpeg' : opts.format, OUTPUT_FORMATS) as OutputFormat;
  const quality = toInteger('--quality', opts.quality, 1, 100)!;
  const size = opts.size === undefined ? null : (oneOf('--size', opts.size.toUpperCase(), SIZES) as Size);
  const concurrency = toInteger('--concurrency', opts.concurrency, 1, 256);
  const device = oneOf('--device', opts.device, DEVICES) as Device;
  const shard = opts.shard === undefined ? null : parseShard(opts.shard);
  const workers = toInteger('--workers', opts.workers, 1, 64) ?? 1;
  const threads = toInteger('--threads', opts.threads, 0, 256);
  const worker = opts.worker === undefined ? null : parseShard(opts.worker);
  const config = resolveConfig({
    device,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(threads !== undefined ? { render: { threads } } : {}),
    ...(opts.models ? { modelsDir: path.resolve(opts.models) } : {}),
    cacheDir: opts.cache === false ? null : opts.cacheDir ? path.resolve(opts.cacheDir) : undefined,
  });
  const json = opts.json === true;
  const warn = (message: string): void => printWarning(message);

  // ---- inputs
  const manifest = await loadManifest(opts.catalog);
  manifest.warnings.forEach(warn);
  if (manifest.garments.length === 0) throw new TryonError('BAD_MANIFEST', `${opts.catalog}: the manifest lists no garments; nothing to do`, { input: opts.catalog });
  const found = await findPersons(opts.persons);
  found.warnings.forEach(warn);
  // `--persons "photos/**"` with `--out photos/tryon` would take last run's results for persons.
  const outDir = path.resolve(opts.out) + path.sep;
  const inOut = found.persons.filter((p) => p.image.startsWith(outDir));
  if (inOut.length) {
    warn(`${inOut.length} of the files matched by --persons are inside --out ${opts.out}: skipped (earlier results, not persons)`);
    found.persons = found.persons.filter((p) => !p.image.startsWith(outDir));
  }
  if (found.persons.length === 0) {
    throw new TryonError('BAD_OPTION', `--persons ${opts.persons.join(' ')}: no person images found; nothing to do`, {
      input: '--persons',
      suggestion: 'Quote glob patterns so the shell does not expand them: --persons "photos/*.jpg".',
    });
  }
  const plan = planBatch({ persons: found.persons, garments: manifest.garments, outDir: opts.out, options: { format, quality, size, thumbnails: opts.thumbnails !== false }, shard, worker });
  const prepared = await preparePlan(plan, { resume: opts.resume === true, settings: pictureSettings(config), version: toolVersion(config.modelsDir) });

  if (opts.dryRun) {
    printPlan(plan, prepared, json);
    return;
  }
  if (plan.pairs.length === 0) {
    // More shards than pairs: this shard has nothing, which is fine in a matrix.
    process.stderr.write(`shard ${shard?.index}/${shard?.count} has no pairs (the batch has ${plan.totalPairs})\n`);
    return;
  }

  if (workers > 1 && !worker && plan.pairs.length > prepared.skip.size) {
    const { runWorkers } = await import('./batch-workers.ts');
    const reporter = createReporter({ json, colours: colours() });
    try {
      // Two pairs in flight per worker: one in JavaScript and ONNX Runtime, one in libvips.
      const summary = await runWorkers({ plan, prepared, workers, argv: process.argv.slice(2), concurrency: Math.max(2, Math.ceil(config.concurrency / workers)), threads: Math.ceil(config.render.threads / workers), reporter });
      process.exitCode = summary.exitCode;
    } finally {
      reporter.stop();
    }
    return;
  }

  // ---- run. Loaded here, not at the top: `tryon --help` must not load ONNX Runtime.
  const { Tryon } = await import('../pipeline.ts');
  const { runBatch } = await import('../batch/runner.ts');
  let tryon = await Tryon.create(config);
  const controller = new AbortController();
  let signals = 0;
  let lastSignal: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    lastSignal = signal;
    if (signals > 1) process.exit(signal === 'SIGTERM' ? 143 : 130); // the user means it
    reporter.interrupted(signal);
    controller.abort();
  };
  const reporter = createReporter({ json, colours: colours() });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runBatch(plan, tryon, {
      concurrency: tryon.budget.concurrency,
      resume: opts.resume === true,
      signal: controller.signal,
      settings: pictureSettings(config),
      prepared,
      onEvent: (e: BatchEvent) => reporter.event(e),
      // A fresh pipeline when ONNX Runtime's arenas have grown (see RunOptions.renew).
      renew: async () => {
        await tryon.close();
        tryon = await Tryon.create(config);
        return tryon;
      },
    });
    // 130 for Ctrl-C, 143 for SIGTERM (a preempted CI job or pod), as shells report them.
    process.exitCode = summary.interrupted && lastSignal === 'SIGTERM' ? 143 : summary.exitCode;
  } finally {
    reporter.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await tryon.close();
  }
}
