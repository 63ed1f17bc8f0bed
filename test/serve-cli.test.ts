/**
 * `tryon serve` as a process: refuses bad options before loading anything, and on SIGTERM
 * stops accepting, finishes the request in flight and exits 0; a request still arriving after
 * the shutdown grace has its connection cut, so the process always exits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, PROJECT_ROOT, personPhotos } from './fixtures.ts';
import { form, slowUpload, until } from './serve-helpers.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'tryon.js');

function tryon(args: string[], env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; out: () => string; exited: () => boolean; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => ((exited = true), resolve(code))));
  return { child, out: () => out, exited: () => exited, exit };
}

async function waitFor(run: { out: () => string; exited: () => boolean }, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(run.out());
    if (m) return m;
    if (run.exited() || Date.now() > until) throw new Error(`${run.exited() ? 'exited' : 'timed out'} before ${pattern}; output:\n${run.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tryon serve', () => {
  it('refuses a bad option with exit code 2, naming it', async () => {
    const run = tryon(['serve', '--max-upload', 'lots']);
    expect(await run.exit).toBe(2);
    expect(run.out()).toContain('Expected size such as 10MB, 512KB or a byte count for maxUpload but received "lots" of type string');
  });

  it.skipIf(!HAVE_SHARED)('finishes the request in flight on SIGTERM and exits 0', async () => {
    const run = tryon(['serve', '--port', '0', '--concurrency', '1', '--rate-limit', 'off'], { TRYON_API_KEY: 'cli-test-key-0123' });
    try {
      const [, url] = await waitFor(run, /tryon serving on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
      expect(run.out()).toContain('API key required');
      const pending = fetch(`${url}/api/virtual-tryon`, {
        method: 'POST',
        headers: { authorization: 'Bearer cli-test-key-0123' },
        body: form({
          person_image: { bytes: readFileSync(personPhotos()[0]), filename: 'p.jpg' },
          clothing_name: 'Tee',
          clothing_type: 'tshirt',
          clothing_color: '#c0392b',
          clothing_size: 'S',
        }),
      });
      // Signal once the request is being computed (it is admitted and visible in the queue).
      for (;;) {
        const health = (await (await fetch(`${url}/api/health`)).json()) as { queue: { depth: number; active: number } };
        if (health.queue.active + health.queue.depth > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      run.child.kill('SIGTERM');
      const res = await pending;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { success: boolean }).success).toBe(true);
      expect(await run.exit).toBe(0);
      expect(run.out()).toContain('SIGTERM: finishing requests in flight');
      await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('on SIGTERM, cuts an upload still arriving after the shutdown grace and exits 0', async () => {
    const run = tryon(['serve', '--port', '0', '--rate-limit', 'off', '--shutdown-grace', '1s']);
    try {
      const [, url] = await waitFor(run, /tryon serving on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
      const client = slowUpload(Number(new URL(url).port));
      await until(async () => ((await (await fetch(`${url}/api/health`)).json()) as { uploads: { active: number } }).uploads.active === 1, 5000, 'the upload in progress');
      const signalled = Date.now();
      run.child.kill('SIGTERM');
      const code = await Promise.race([run.exit, new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000))]);
      expect(code).toBe(0);
      // The grace (1 s), then the pipeline's close.
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(900);
      expect(run.out()).toContain('SIGTERM: finishing requests in flight (at most 1 s), then exiting');
      expect(run.out()).toContain('1 connection(s) still open after the 1 s grace: closed');
      expect((await client.answer).status).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
