import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import { parseHexColor, oneOf, integerIn } from '../src/validate.ts';
import { budgetThreads } from '../src/threads/budget.ts';

describe('config', () => {
  it('merges options over documented defaults', () => {
    const c = resolveConfig({ device: 'cpu', person: { landmarkModel: 'lite' } });
    expect(c.device).toBe('cpu');
    expect(c.person.landmarkModel).toBe('lite');
    expect(c.person.maxPixels).toBe(40_000_000);
  });

  it('reports unknown keys with their path', () => {
    expect(() => resolveConfig({ person: { colour: 1 } } as never)).toThrow(/Unknown option person\.colour; known: person\.maxPixels/);
  });

  it('names the option and the accepted values', () => {
    expect(() => resolveConfig({ device: 'tpu' as never })).toThrow('Expected one of auto, cpu, cuda, webgpu for device but received "tpu" of type string');
    expect(() => resolveConfig({ concurrency: 0 })).toThrow('Expected integer between 1 and 256 for concurrency but received 0 of type number');
    expect(() => resolveConfig({ person: { maxSide: 100 } })).toThrow('Expected integer between 256 and 65536 for person.maxSide but received 100 of type number');
    expect(resolveConfig({}).person.maxSide).toBe(2560);
  });
});

describe('validate', () => {
  it('parses hex colours in both lengths and refuses others', () => {
    expect(parseHexColor('color', '#1e90ff')).toEqual([30, 144, 255]);
    expect(parseHexColor('color', 'fff')).toEqual([255, 255, 255]);
    expect(() => parseHexColor('clothing_color', 'blue')).toThrow('Expected hex colour such as #1e90ff or #fff for clothing_color but received "blue" of type string');
  });

  it('checks enums and integer ranges', () => {
    expect(oneOf('size', 'M', ['S', 'M'] as const)).toBe('M');
    expect(() => integerIn('n', 1.5, 0, 3)).toThrow(/for n but received 1.5 of type number/);
  });
});

describe('thread budget', () => {
  it('fits jobs x threads to the cores', () => {
    expect(budgetThreads(2, 2)).toEqual({ concurrency: 2, intraOp: 1, sharp: 1 });
    expect(budgetThreads(1, 8)).toEqual({ concurrency: 1, intraOp: 8, sharp: 8 });
    expect(budgetThreads(3, 8).intraOp).toBe(2);
  });
});
