/**
 * The one argument-checking helper. Every bad value gets the same sentence shape, after
 * sharp's `lib/is`: "Expected <what> for <name> but received <value> of type <type>".
 * Tests assert these messages, so keep the shape.
 */
import { TryonError } from './errors.ts';

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const short = shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
  return `${short} of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

export function invalid(name: string, expected: string, value: unknown): TryonError {
  return new TryonError('BAD_OPTION', `Expected ${expected} for ${name} but received ${describe(value)}`, {
    input: name,
  });
}

export const is = {
  defined: (v: unknown): boolean => v !== undefined && v !== null,
  number: (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v),
  integer: (v: unknown): v is number => Number.isInteger(v),
  string: (v: unknown): v is string => typeof v === 'string',
  bool: (v: unknown): v is boolean => typeof v === 'boolean',
  inRange: (v: number, min: number, max: number): boolean => v >= min && v <= max,
  oneOf: <T extends string>(v: unknown, values: readonly T[]): v is T =>
    typeof v === 'string' && (values as readonly string[]).includes(v),
  hexColor: (v: unknown): v is string => typeof v === 'string' && /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v),
};

/** Asserts an integer in [min, max]; returns it. */
export function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (!is.integer(value) || !is.inRange(value as number, min, max)) {
    throw invalid(name, `integer between ${min} and ${max}`, value);
  }
  return value as number;
}

/** An integer in [min, max] from a number or a decimal string (a command-line flag, a form field); returns it. */
export function parseInteger(name: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  return integerIn(name, n, min, max);
}

/** Asserts a finite number in [min, max]; returns it. */
export function numberIn(name: string, value: unknown, min: number, max: number): number {
  if (!is.number(value) || !is.inRange(value, min, max)) {
    throw invalid(name, `number between ${min} and ${max}`, value);
  }
  return value;
}

/** Asserts one of the accepted values; the message lists them. */
export function oneOf<T extends string>(name: string, value: unknown, values: readonly T[]): T {
  if (!is.oneOf(value, values)) throw invalid(name, `one of ${values.join(', ')}`, value);
  return value;
}

/** Parses '#rgb', '#rrggbb' (the '#' optional) into [r, g, b] bytes. */
export function parseHexColor(name: string, value: unknown): [number, number, number] {
  if (!is.hexColor(value)) throw invalid(name, 'hex colour such as #1e90ff or #fff', value);
  let hex = value.replace('#', '');
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}
