/**
 * The package as a user gets it: `npm pack` of the project (dist/ as `npm test` has just built
 * it, the models; no sources, fixtures or tests), installed into an empty folder offline; then,
 * from that folder, `tryon models --verify`, `tryon run` on a shared person photo, the library
 * (`import 'tryon'`, render worker threads started from the compiled files) and its types.
 *
 * Offline: `npm install <tarball>` in an empty folder resolves the tarball's dependency ranges
 * through the registry's metadata, which the project's `npm ci` does not cache. The folder
 * therefore gets a lockfile made of this project's production entries (the versions these tests
 * ran with) and is installed with `npm ci --offline`, from the cache that `npm ci` filled.
 * onnxruntime-node's CUDA download is skipped as the README tells users to skip it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, PROJECT_ROOT, SHARED_FIXTURES } from './fixtures.ts';

const PERSON = path.join(SHARED_FIXTURES, 'persons', 'model_3.png');
const HAVE_PERSON = HAVE_SHARED && existsSync(PERSON);
if (!HAVE_PERSON) console.warn(`[tryon tests] ${PERSON} is absent: the installed package's \`tryon run\` and library tests are skipped.`);

interface Ran { status: number | null; stdout: string; stderr: string }

/** The environment of a user's shell: none of the npm_* variables of the `npm test` running us (npm_config_local_prefix would point npm back at this project). */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Ran {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(extraEnv), encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function npm(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Ran {
  return run('npm', args, cwd, extraEnv);
}

function explain(r: Ran): string {
  return `exit ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;
}

/** The tarball is packed from dist/ as it is: refuse a dist/ older than the sources it comes from. */
function assertDistFresh(): void {
  const src = path.join(PROJECT_ROOT, 'src');
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(src)) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts') || file.endsWith('.test.ts')) continue;
    const built = path.join(PROJECT_ROOT, 'dist', path.relative(src, file)).replace(/\.ts$/, '.js');
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs) {
      throw new Error(`${path.relative(PROJECT_ROOT, built)} is missing or older than ${path.relative(PROJECT_ROOT, file)}: run \`npm run build\` (\`npm test\` builds first)`);
    }
  }
}

interface LockEntry { dev?: boolean; devOptional?: boolean; [field: string]: unknown }

/** package.json and package-lock.json of an app depending only on the tarball, locked to this project's production dependencies. */
function writeApp(app: string, tarball: string, integrity: string): void {
  const lock = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const own = lock.packages[''];
  const spec = `file:${path.relative(app, tarball)}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { tryon: spec } },
    'node_modules/tryon': { version: own.version, resolved: spec, integrity, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
  };
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where && !entry.dev && !entry.devOptional) packages[where] = entry;
  }
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { tryon: spec } }, null, 2));
  writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
}

let tmp: string;
let app: string;
let files: string[];
let install: Ran;

beforeAll(() => {
  assertDistFresh();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tryon-package-test-'));
  app = path.join(tmp, 'app');
  mkdirSync(app);
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], PROJECT_ROOT);
  if (packed.status !== 0) throw new Error(`npm pack failed: ${explain(packed)}`);
  const [info] = JSON.parse(packed.stdout) as { filename: string; integrity: string; files: { path: string }[] }[];
  files = info.files.map((f) => f.path);
  writeApp(app, path.join(tmp, info.filename), info.integrity);
  install = npm(['ci', '--offline', '--no-audit', '--no-fund'], app, { ONNXRUNTIME_NODE_INSTALL: 'skip' });
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function tryon(...args: string[]): Ran {
  return run(process.execPath, [path.join(app, 'node_modules', '.bin', 'tryon'), ...args], app);
}

describe('the npm package', () => {
  it('holds the compiled code, its types and the models, and no sources, fixtures or tests', () => {
    const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'models', 'manifest.json'), 'utf8')) as { models: { file: string }[] };
    for (const f of ['package.json', 'README.md', 'bin/tryon.js', 'dist/index.js', 'dist/index.d.ts', 'dist/serve/index.js', 'dist/serve/index.d.ts', 'dist/threads/worker.js', 'models/manifest.json']) {
      expect(files, f).toContain(f);
    }
    for (const m of manifest.models) expect(files).toContain(`models/${m.file}`);
    expect(files.filter((f) => /^(src|test|fixtures|scripts)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs into an empty folder offline, without onnxruntime-node\'s CUDA download', () => {
    expect(install.status, explain(install)).toBe(0);
    const ortBin = path.join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch);
    expect(existsSync(path.join(ortBin, 'libonnxruntime_providers_cuda.so'))).toBe(false);
  });

  it('runs `tryon models --verify` on the models it carries', () => {
    const r = tryon('models', '--verify', '--json', '--device', 'cpu');
    expect(r.status, explain(r)).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; modelsDir: string; models: { hash: string }[] };
    expect(report.ok).toBe(true);
    expect(report.modelsDir).toBe(path.join(app, 'node_modules', 'tryon', 'models'));
    expect(report.models.length).toBeGreaterThan(0);
    expect(report.models.every((m) => m.hash === 'ok')).toBe(true);
  });

  it('has types a TypeScript user compiles against', () => {
    writeFileSync(path.join(app, 'use.ts'), [
      "import { Tryon, TryonError, type TryonOptions } from 'tryon';",
      "import { buildServer } from 'tryon/serve';",
      "const options: TryonOptions = { device: 'cpu', cacheDir: null };",
      'export const created: Promise<Tryon> = Tryon.create(options);',
      'export const uses = [buildServer, TryonError];',
      '// @ts-expect-error: not a device (an untyped package would not complain)',
      "export const wrong: TryonOptions = { device: 'nope' };",
    ].join('\n'));
    const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--types', 'node', '--typeRoots', path.join(PROJECT_ROOT, 'node_modules', '@types'), 'use.ts'], app);
    expect(r.status, explain(r)).toBe(0);
  });

  it.skipIf(!HAVE_PERSON)('runs `tryon run --person <photo> -o out.jpg`, and the library renders the same bytes in a worker thread', async () => {
    const out = path.join(tmp, 'out.jpg');
    const r = tryon('run', '--person', PERSON, '-o', out, '--no-cache');
    expect(r.status, explain(r)).toBe(0);
    const photo = await sharp(PERSON).metadata();
    const cli = await sharp(out).metadata();
    expect([cli.format, cli.width, cli.height]).toEqual(['jpeg', photo.width, photo.height]);

    // The library from the installed package, rendering in one worker thread (`tryon run` renders on its main thread).
    const lib = path.join(tmp, 'lib.jpg');
    const script = `
      import { writeFile } from 'node:fs/promises';
      import { Tryon, encodeImage } from 'tryon';
      const tryon = await Tryon.create({ device: 'cpu', cacheDir: null, render: { threads: 1 } });
      const person = await tryon.analysePerson(${JSON.stringify(PERSON)});
      const garment = await tryon.template('tshirt', '#2a6fb0');
      const { image } = await tryon.tryOn(person, garment, { size: 'M', layers: false });
      await writeFile(${JSON.stringify(lib)}, await encodeImage(image, 'jpeg', 90));
      await tryon.close();`;
    writeFileSync(path.join(app, 'lib.mjs'), script);
    const l = run(process.execPath, ['lib.mjs'], app);
    expect(l.status, explain(l)).toBe(0);
    expect(readFileSync(lib).equals(readFileSync(out)), 'the library in a worker thread and `tryon run` on its main thread wrote different bytes').toBe(true);
  });
});

describe('npm in this project', () => {
  it('`npx tryon --version` prints the version and no npm warning', () => {
    const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = run('npx', ['--offline', 'tryon', '--version'], PROJECT_ROOT);
    expect(r.status, explain(r)).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect(r.stderr).not.toMatch(/npm warn/i);
  });
});
