/**
 * `tryon batch` refuses, before any work and with exit code 2, inputs that cannot give a batch:
 * an output folder that cannot be created or written (a file, a place under /proc or /sys, a
 * read-only folder) and a person path named outright that gives nothing. Each case runs the
 * real CLI (node bin/tryon.js, the compiled dist/) on a generated photo and a template garment,
 * so it needs no shared photographs; every run is killed after 20 s, so a hang fails the test
 * rather than stalling the suite.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './fixtures.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'tryon.js');
const KILL_AFTER_MS = 20_000;
/** An unprivileged user to run as when the tests run as root (root writes into read-only folders). */
const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;
const nobodyCanRun = asRoot && spawnSync(process.execPath, [BIN, '--version'], { ...NOBODY, cwd: PROJECT_ROOT }).status === 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tryon(args: string[], user: { uid?: number; gid?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1' }, ...user });
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A folder others can read, with a photo and a one-template catalog. */
async function inputs(): Promise<{ dir: string; photo: string; args: string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tryon-batch-usage-'));
  chmodSync(dir, 0o755);
  const photo = path.join(dir, 'person.png');
  writeFileSync(photo, await sharp({ create: { width: 96, height: 128, channels: 3, background: '#a08070' } }).png().toBuffer());
  writeFileSync(path.join(dir, 'c.json'), JSON.stringify([{ id: 'tee', type: 'tshirt' }]));
  return { dir, photo, args: ['batch', '--catalog', path.join(dir, 'c.json'), '--json', '--no-cache'] };
}

/** Exit 2 with one `error [BAD_OPTION] <message>` line and its hint: no Node stack, no batch started. */
function expectRefused(run: Run, message: string): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toContain(`error [BAD_OPTION] ${message}\n`);
  expect(run.stderr).not.toMatch(/^\s+at |node:internal/m);
  expect(run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).type)).toEqual(['error']);
}

describe('tryon batch refuses what cannot give a batch, with exit 2', () => {
  it('an --out that is a file, or lies under one', async () => {
    const { dir, photo, args } = await inputs();
    const file = path.join(dir, 'taken');
    writeFileSync(file, 'a file');
    expectRefused(await tryon([...args, '--persons', photo, '--out', file]), `--out ${file}: is a file, not a folder`);
    expectRefused(await tryon([...args, '--persons', photo, '--out', path.join(file, 'out')]), `--out ${path.join(file, 'out')}: cannot be reached (a part of the path is a file, not a folder)`);
  }, 60_000);

  it.skipIf(!existsSync('/proc/self') || !existsSync('/sys/kernel'))('an --out under /proc or /sys, where files cannot be made (once an endless mkdir loop)', async () => {
    const { photo, args } = await inputs();
    const run = (out: string): Promise<Run> => tryon([...args, '--persons', photo, '--out', out]);
    expectRefused(await run('/proc/tryon-out/x'), '--out /proc/tryon-out/x: cannot create the folder /proc/tryon-out (the file system there does not take new folders)');
    expectRefused(await run('/proc/self'), '--out /proc/self: files cannot be written in this folder (the file system there does not take new files)');
    const sys = await run('/sys/tryon-out');
    expect(sys.code, sys.stderr).toBe(2);
    expect(sys.stderr).toMatch(/error \[BAD_OPTION\] --out \/sys\/tryon-out: cannot be created \((not permitted|permission denied|a read-only file system)\)/);
  }, 90_000);

  it.skipIf(asRoot && !nobodyCanRun)('a read-only --out folder, before any pair is rendered', async () => {
    const { dir, photo, args } = await inputs();
    const out = path.join(dir, 'read-only');
    mkdirSync(out);
    chmodSync(out, 0o555);
    // Root writes anywhere: run as an unprivileged user then.
    const run = await tryon([...args, '--persons', photo, '--out', out], asRoot ? NOBODY : {});
    expectRefused(run, `--out ${out}: files cannot be written in this folder (permission denied)`);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('a person path named outright that does not exist, or a folder with no image in it', async () => {
    const { dir, photo, args } = await inputs();
    const out = path.join(dir, 'out');
    const missing = path.join(dir, 'nobody.jpg');
    expectRefused(await tryon([...args, '--persons', photo, missing, '--out', out]), `--persons ${missing}: no such file or folder`);
    const folder = path.join(dir, 'photos');
    mkdirSync(path.join(folder, 'inner'), { recursive: true });
    writeFileSync(path.join(folder, 'inner', 'p.png'), 'not even an image');
    const run = await tryon([...args, '--persons', photo, folder, '--out', out]);
    expectRefused(run, `--persons ${folder}: a folder with no image files in it`);
    expect(run.stderr).toContain('hint: Sub-folders are not searched');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
