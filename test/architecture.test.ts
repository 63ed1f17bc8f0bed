/**
 * The code's shape, held to what the project promises a reader (README, "Layout"): no function
 * a reader cannot take in at once, and no module-level state outside the one documented
 * process-wide registry: state that outlives a call is owned by an object you can see (a Tryon,
 * a Renderer's RenderState, an engine's Scratch).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './fixtures.ts';

const SRC = path.join(PROJECT_ROOT, 'src');
const MAX_FUNCTION_LINES = 120;
/** Longer functions known and why they are still long (none now). */
const LONG_FUNCTIONS: Record<string, string> = {};
/** Module-level state that is meant to be process-wide, and documented where it is defined. */
const PROCESS_WIDE: Record<string, string> = {
  'models/providers.ts PROBES': 'which execution providers work is a fact about the machine, probed once per process',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sources(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [file] : [];
  });
}

const files = sources(SRC).map((file) => {
  const text = readFileSync(file, 'utf8');
  return { rel: path.relative(SRC, file).split(path.sep).join('/'), sf: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true) };
});

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const named = (node as { name?: ts.Node }).name;
  if (named) return named.getText(sf);
  if (ts.isVariableDeclaration(node.parent)) return node.parent.name.getText(sf);
  return '<anonymous>';
}

describe('code shape', () => {
  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const { rel, sf } of files) {
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const lines = sf.getLineAndCharacterOfPosition(node.getEnd()).line - sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
          const id = `${rel} ${nameOf(node, sf)}`;
          if (lines > MAX_FUNCTION_LINES && !(id in LONG_FUNCTIONS)) long.push(`${id}: ${lines} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(long).toEqual([]);
  });

  it('keeps no state in modules but the documented process-wide registry', () => {
    const state: string[] = [];
    for (const { rel, sf } of files) {
      for (const statement of sf.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
        for (const d of statement.declarationList.declarations) {
          const name = d.name.getText(sf);
          const init = d.initializer;
          const made = init && ts.isNewExpression(init) ? init.expression.getText(sf) : null;
          // A constant table (ALL_CAPS, filled once at load: a Set of names, a lookup array) is
          // not state; a map is a cache whatever its name; anything else made at load is.
          const table = /^[A-Z0-9_]+$/.test(name) && made !== null && !/Map$/.test(made);
          const stateful = !isConst || (made !== null && !table && !/^(TextEncoder|TextDecoder|URL)$/.test(made));
          if (stateful && !(`${rel} ${name}` in PROCESS_WIDE)) state.push(`${rel}: ${isConst ? 'const' : 'let'} ${name}`);
        }
      }
    }
    expect(state).toEqual([]);
  });
});
