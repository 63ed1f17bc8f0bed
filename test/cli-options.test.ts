/**
 * The options commands share are defined once (src/cli/options.ts): every command that loads
 * models takes the same --device and --models-dir, every command that analyses photos the same
 * cache flags, and they all become the same pipeline options with the same messages.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/index.ts';
import { pipelineOptions } from '../src/cli/options.ts';
import { TryonError } from '../src/errors.ts';

const flagsOf = (name: string): Map<string, string> => {
  const command = buildProgram().commands.find((c) => c.name() === name)!;
  return new Map(command.options.map((o) => [o.long!, o.description]));
};

describe('shared CLI options', () => {
  it('every command that loads models takes one --device and one --models-dir, described alike', () => {
    const commands = ['run', 'batch', 'inspect', 'serve', 'models'];
    const device = new Set(commands.map((c) => flagsOf(c).get('--device')));
    const models = new Set(commands.map((c) => flagsOf(c).get('--models-dir')));
    expect([...device]).toEqual(['execution provider: auto, cpu, cuda, webgpu']);
    expect(models.size).toBe(1);
    expect([...models][0]).toMatch(/models folder/);
    for (const c of ['run', 'batch', 'inspect']) {
      expect(flagsOf(c).has('--cache-dir'), c).toBe(true);
      expect(flagsOf(c).has('--no-cache'), c).toBe(true);
    }
    expect(flagsOf('batch').get('--threads')).toBe(flagsOf('serve').get('--threads'));
  });

  it('turns the flags into pipeline options, the older --models spelling included', () => {
    expect(pipelineOptions({ device: 'cpu', models: 'm', cacheDir: 'c', threads: '3' })).toEqual({
      device: 'cpu',
      modelsDir: path.resolve('m'),
      cacheDir: path.resolve('c'),
      render: { threads: 3 },
    });
    expect(pipelineOptions({ cache: false, cacheDir: 'c' })).toEqual({ device: 'auto', cacheDir: null });
    const bad = (flags: object, message: RegExp): void => {
      let err: unknown;
      try {
        pipelineOptions(flags);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TryonError);
      expect((err as TryonError).code).toBe('BAD_OPTION');
      expect((err as TryonError).message).toMatch(message);
    };
    bad({ device: 'tpu' }, /Expected one of auto, cpu, cuda, webgpu for --device but received "tpu"/);
    bad({ threads: 'two' }, /Expected integer between 0 and 256 for --threads but received "two"/);
    bad({ threads: '-1' }, /for --threads but received -1/);
  });
});
