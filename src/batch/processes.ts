/**
 * A batch in N processes (CatalogSpec.processes). Pairs already render in worker threads
 * (src/threads/), so one process uses every core for renders; processes add parallel analyses
 * (onnxruntime-node runs `session.run` synchronously on the JavaScript thread), at N times the
 * models' memory. Each process gets its share of the analyses in flight and of the render threads.
 *
 * Each child (child.ts) plans the same batch and takes the k-th contiguous part of the
 * (shard's) pair list, so it analyses only its own persons, and writes
 * `results[.shard-i-of-n].worker-k-of-N.json`. This process relays their events, stops them
 * when the signal aborts (they finish the pairs in flight; they run in their own process group,
 * so a terminal's Ctrl-C does not reach them twice; they are killed if this process exits
 * first), then merges their results into the one results file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogEvent, CatalogPlan, CatalogRunOptions, CatalogSpec, ChildTask } from './spec.ts';
import type { BatchEvent, BatchSummary } from './events.ts';
import { mergeWorkerResults } from './merge.ts';
import { resultsFileName } from './results.ts';
import { batchSummary } from './runner.ts';

/**
 * The child's entry. Compiled (dist/), the child is plain JavaScript; from src/ (tsx, vitest) it is
 * TypeScript, and child-boot.mjs first registers tsx's loader in the new process.
 */
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.ts') ? 'child-boot.mjs' : 'child.js');

/** Pairs in flight per child: two (one in JavaScript and ONNX Runtime, one in libvips) or its share. */
function childSpec(spec: CatalogSpec, planned: CatalogPlan, count: number): CatalogSpec {
  const { config } = planned;
  const pipeline = { ...spec.pipeline, concurrency: Math.max(2, Math.ceil(config.concurrency / count)), render: { ...spec.pipeline?.render, threads: Math.ceil(config.render.threads / count) } };
  return { ...spec, processes: 1, pipeline };
}

/** Starts a child; `onEvent` gets each JSON event line it prints. Resolves with its exit code and what it wrote on stderr. */
function startChild(task: ChildTask, onEvent: (e: BatchEvent) => void): { child: ChildProcess; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(task)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        onEvent(JSON.parse(line) as BatchEvent);
      } catch {
        // Not an event line.
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  return { child, exit: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
}

export async function runProcesses(planned: CatalogPlan, spec: CatalogSpec, count: number, options: CatalogRunOptions): Promise<BatchSummary> {
  const { plan, prepared } = planned;
  const emit = (e: CatalogEvent): void => options.onEvent?.(e);
  const started = performance.now();
  const todo = plan.pairs.filter((p) => !prepared.skip.has(p.key));
  const each = childSpec(spec, planned, count);
  emit({
    type: 'start',
    out: plan.outDir,
    shard: plan.shard,
    total: plan.totalPairs,
    pairs: plan.pairs.length,
    skipped: prepared.skip.size,
    toRender: todo.length,
    persons: new Set(todo.map((p) => p.person.name)).size,
    garments: new Set(todo.map((p) => p.garment.name)).size,
    concurrency: (each.pipeline!.concurrency as number) * count,
  });

  let finished = 0;
  let rendered = 0;
  let interrupted = false;
  const relay = (e: BatchEvent): void => {
    if (e.type === 'pair-done' || e.type === 'pair-failed') {
      finished++;
      if (e.type === 'pair-done') rendered++;
      emit({ ...e, finished, toRender: todo.length });
    } else if (e.type === 'summary' && e.interrupted) {
      interrupted = true;
    }
  };
  const children = Array.from({ length: count }, (_, i) => startChild({ spec: each, part: { index: i + 1, count } }, relay));
  const stop = (): void => {
    interrupted = true;
    for (const c of children) c.child.kill('SIGINT');
  };
  // This process leaving (a second Ctrl-C) takes the children with it.
  const killAll = (): void => {
    for (const c of children) c.child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  process.once('exit', killAll);
  let exits: { code: number | null; stderr: string }[];
  try {
    exits = await Promise.all(children.map((c) => c.exit));
  } finally {
    options.signal?.removeEventListener('abort', stop);
    process.off('exit', killAll);
  }
  exits.forEach(({ code, stderr }, i) => {
    // 0, 1 (some pairs failed) and 130 (interrupted) are a child doing its job; anything else is news.
    if (code !== 0 && code !== 1 && code !== 130 && stderr.trim()) emit({ type: 'warning', message: `process ${i + 1}/${count} exited with ${code}:\n${stderr}` });
  });

  const doc = await mergeWorkerResults(plan, prepared, interrupted);
  const summary = batchSummary(doc.summary, {
    out: plan.outDir,
    results: path.join(plan.outDir, resultsFileName(plan.shard)),
    index: path.join(plan.outDir, 'index.html'),
    rendered,
    interrupted,
    elapsedMs: performance.now() - started,
  });
  emit({ type: 'summary', ...summary });
  return summary;
}
