/**
 * A small RFC 4180 CSV reader for catalog manifests: a header line, then one record per
 * line; fields may be quoted ("a, b"), quotes inside quoted fields are doubled ("say ""hi""")
 * and quoted fields may span lines. Each record keeps the line it starts on, so manifest
 * errors can name it. Spreadsheet exports often carry a UTF-8 byte order mark and CRLF
 * line ends; both are accepted.
 */
import { TryonError } from '../errors.ts';
import { quoted } from './quote.ts';

export interface CsvRecord {
  /** 1-based line number where the record starts in the file. */
  line: number;
  /** Header name -> cell text (trimmed when unquoted); empty cells are absent. */
  fields: Record<string, string>;
}

interface RawRow {
  line: number;
  cells: string[];
}

function splitRows(text: string, name: string): RawRow[] {
  const rows: RawRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current cell was quoted (keep its spaces)
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  const endCell = (): void => {
    cells.push(wasQuoted ? cell : cell.trim());
    cell = '';
    wasQuoted = false;
  };
  const endRow = (): void => {
    endCell();
    // A blank line is no record.
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      quoteLine = line;
      cell = '';
    } else if (ch === ',') {
      endCell();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      cell += ch;
    }
  }
  if (quoted) {
    throw new TryonError('BAD_MANIFEST', `${name} line ${quoteLine}: a quoted field is never closed (missing ")`, { input: `${name}:${quoteLine}` });
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

/** Parses CSV text with a header line into records keyed by the (trimmed, lower-cased) header names. */
export function parseCsv(text: string, name: string): CsvRecord[] {
  const rows = splitRows(text.replace(/^\uFEFF/, ''), name);
  if (rows.length === 0) return [];
  const header = rows[0].cells.map((h) => h.trim().toLowerCase());
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (!h) throw new TryonError('BAD_MANIFEST', `${name} line ${rows[0].line}: header column ${i + 1} has no name`, { input: `${name}:${rows[0].line}` });
    if (seen.has(h)) throw new TryonError('BAD_MANIFEST', `${name} line ${rows[0].line}: header column ${quoted(h)} appears twice`, { input: `${name}:${rows[0].line}` });
    seen.add(h);
  });
  return rows.slice(1).map((row) => {
    if (row.cells.length > header.length) {
      throw new TryonError(
        'BAD_MANIFEST',
        `${name} line ${row.line}: ${row.cells.length} fields but the header has ${header.length} (quote fields that contain commas)`,
        { input: `${name}:${row.line}` },
      );
    }
    const fields: Record<string, string> = {};
    row.cells.forEach((cell, i) => {
      if (cell !== '') fields[header[i]] = cell;
    });
    return { line: row.line, fields };
  });
}
