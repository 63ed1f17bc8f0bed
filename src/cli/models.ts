/**
 * `tryon models [--json] [--verify] [--models-dir <dir>] [--device <device>]`: lists the
 * models (file, size, licence, hash status) and the execution providers (installed, working),
 * and what the device resolves to. `--verify` exits 1 naming any file whose hash fails.
 * Logic lives in src/models/verify.ts; this file only parses and formats.
 */
import type { Command } from 'commander';
import { defaultConfig } from '../config.ts';
import { TryonError } from '../errors.ts';
import type { ModelsReport } from '../models/verify.ts';
import { pipelineOptions, shared, type SharedFlags } from './options.ts';
import { colours } from './output.ts';

function formatSize(bytes: number | null): string {
  return bytes === null ? '-' : `${(bytes / 1e6).toFixed(2)} MB`;
}

function printText(r: ModelsReport): void {
  const c = colours(process.stdout);
  const out: string[] = [`Models in ${r.modelsDir}`];
  const w = Math.max(...r.models.map((m) => m.name.length));
  for (const m of r.models) {
    const hash = m.hash === 'ok' ? c.green('hash ok') : c.red(`hash ${m.hash}`);
    out.push(`  ${m.name.padEnd(w)}  ${m.file.padEnd(w + 5)}  ${formatSize(m.size).padStart(9)}  ${hash}  ${c.dim(m.licence)}`);
  }
  out.push('', 'Execution providers');
  for (const p of r.providers) {
    const state = p.works ? c.green('works') : p.installed ? c.yellow('installed, does not work') : c.dim('not installed');
    out.push(`  ${p.name.padEnd(7)} ${state}${p.reason ? c.dim(`: ${p.reason}`) : ''}`);
  }
  out.push('', `Device ${r.device.requested} -> ${r.device.provider ?? c.red(`unavailable (${r.device.error?.message})`)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function toJson(r: ModelsReport): unknown {
  return { ...r, device: { ...r.device, error: r.device.error?.toJSON() ?? null } };
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('List the models (file, size, licence, hash status) and the execution providers that work here')
    .option('--json', 'print the report as JSON')
    .option('--verify', 'exit with code 1 when a model file is missing or fails its sha256 check')
    .addOption(shared.modelsDir())
    .addOption(shared.device())
    .action(async (opts: SharedFlags & { json?: boolean; verify?: boolean }) => {
      const { device, modelsDir } = pipelineOptions(opts);
      // Loaded here, not at start (it loads onnxruntime): `tryon --version` needs none of it.
      const { failingFiles, modelsReport } = await import('../models/verify.ts');
      const report = await modelsReport(modelsDir ?? defaultConfig().modelsDir, device);
      if (opts.json) process.stdout.write(`${JSON.stringify(toJson(report), null, 2)}\n`);
      else printText(report);
      if (opts.verify && !report.ok) {
        const files = failingFiles(report);
        throw new TryonError('MODEL', `Model files failing the sha256 check: ${files.join(', ')}`, {
          input: files[0],
          suggestion: 'Reinstall the package or regenerate the models with `npm run models:convert`.',
        });
      }
      // An explicitly requested device that does not work is an error too.
      if (report.device.error && device !== 'auto') throw report.device.error;
    });
}
