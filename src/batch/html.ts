/**
 * `<out>/index.html`: a contact sheet of a batch, persons as rows and garments as columns,
 * each cell a thumbnail linking to the full result, or the reason it failed. It opens from
 * disk with no server: one self-contained file, relative links, no scripts, no network. Every
 * text that came from a user (file names, manifest ids and names, error messages) is escaped.
 * Results of several shards written to one folder are merged into one sheet.
 */
import type { PairRecord, ResultsDoc } from './results.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A relative link from index.html to a file under the output folder, each segment URL-encoded. */
export function href(rel: string): string {
  return esc(rel.split('/').map(encodeURIComponent).join('/'));
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px}
.sum{margin:0 0 12px;color:#555}.sum b{color:#222}.bad{color:#b00020}
.wrap{overflow:auto;max-height:calc(100vh - 90px);border:1px solid #ddd;background:#fff}
table{border-collapse:separate;border-spacing:0}
th,td{padding:3px;border-right:1px solid #eee;border-bottom:1px solid #eee;vertical-align:top;text-align:center}
thead th{position:sticky;top:0;background:#fff;z-index:2;font-weight:normal;font-size:11px;max-width:100px;word-break:break-all}
tbody th{position:sticky;left:0;background:#fff;z-index:1;font-weight:normal;font-size:11px;max-width:100px;word-break:break-all}
thead th:first-child{left:0;z-index:3}
img{display:block;height:128px;width:auto;margin:0 auto;background:#eee}
th img{height:96px}
.cell{width:96px;height:128px;display:flex;align-items:center;justify-content:center;font-size:11px;overflow:hidden;box-sizing:border-box;padding:4px;word-break:break-word}
.fail{background:#fde8eb;color:#8a0016;border:1px solid #f4b6c0}
.pending{background:#f3f3f3;color:#777}
.none{color:#bbb}
.code{font-weight:bold;display:block}
details{margin-top:16px}
.failures td{text-align:left;font-size:12px}
`;

interface Merged {
  persons: ResultsDoc['persons'];
  garments: ResultsDoc['garments'];
  records: Map<string, PairRecord>;
  shards: string[];
  updatedAt: string;
  interrupted: boolean;
  incomplete: boolean;
}

const RANK: Record<PairRecord['status'], number> = { done: 2, failed: 1, pending: 0 };

/** Merges the results of one folder (a whole batch, or shards of it). */
export function mergeDocs(docs: readonly ResultsDoc[]): Merged {
  const persons = new Map<string, ResultsDoc['persons'][number]>();
  const garments = new Map<string, ResultsDoc['garments'][number]>();
  const records = new Map<string, PairRecord>();
  const from = new Map<string, string>(); // key -> updatedAt of the doc the record came from
  let updatedAt = '';
  let interrupted = false;
  let incomplete = false;
  const shards: string[] = [];
  for (const doc of docs) {
    for (const p of doc.persons) if (!persons.has(p.name) || (!persons.get(p.name)!.thumb && p.thumb)) persons.set(p.name, p);
    for (const g of doc.garments) if (!garments.has(g.name) || (!garments.get(g.name)!.thumb && g.thumb)) garments.set(g.name, g);
    for (const r of doc.results) {
      const key = `${r.person}/${r.garment}`;
      const old = records.get(key);
      // Prefer a done record, then the newest.
      if (!old || RANK[r.status] > RANK[old.status] || (RANK[r.status] === RANK[old.status] && doc.updatedAt > from.get(key)!)) {
        records.set(key, r);
        from.set(key, doc.updatedAt);
      }
    }
    if (doc.updatedAt > updatedAt) updatedAt = doc.updatedAt;
    interrupted ||= doc.interrupted;
    incomplete ||= !doc.complete;
    if (doc.shard && doc.shard.count > 1) shards.push(`${doc.shard.index}/${doc.shard.count}`);
  }
  const sortedPersons = [...persons.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { persons: sortedPersons, garments: [...garments.values()], records, shards, updatedAt, interrupted, incomplete };
}

function cell(r: PairRecord | undefined): string {
  if (!r) return '<td><div class="cell none" title="not in these results (another shard?)">&mdash;</div></td>';
  if (r.status === 'done') {
    const src = r.thumb ?? r.output;
    return `<td><a href="${href(r.output)}"><img src="${href(src)}" loading="lazy" alt="${esc(`${r.person} in ${r.garment}`)}"></a></td>`;
  }
  const why = r.error ?? { code: 'PENDING', message: 'not run yet' };
  const cls = r.status === 'failed' ? 'fail' : 'pending';
  return `<td><div class="cell ${cls}" title="${esc(why.message)}"><span><span class="code">${esc(why.code)}</span>${esc(why.message.length > 90 ? `${why.message.slice(0, 87)}...` : why.message)}</span></div></td>`;
}

/** The contact sheet of one output folder's results. */
export function renderIndexHtml(docs: readonly ResultsDoc[]): string {
  const m = mergeDocs(docs);
  const all = [...m.records.values()];
  const done = all.filter((r) => r.status === 'done').length;
  const failures = all.filter((r) => r.status === 'failed');
  const pending = all.filter((r) => r.status === 'pending').length;
  const expected = m.persons.length * m.garments.length;

  const head = m.garments
    .map((g) => {
      const img = g.thumb ? `<img src="${href(g.thumb)}" alt="">` : '';
      const title = [g.id, g.type, g.color, g.size, g.label].filter(Boolean).join(' · ');
      return `<th title="${esc(title)}">${img}${esc(g.label ?? g.id)}</th>`;
    })
    .join('');
  const rows = m.persons
    .map((p) => {
      const img = p.thumb ? `<img src="${href(p.thumb)}" alt="">` : '';
      const cells = m.garments.map((g) => cell(m.records.get(`${p.name}/${g.name}`))).join('');
      return `<tr><th title="${esc(p.image)}">${img}${esc(p.name)}</th>${cells}</tr>`;
    })
    .join('\n');

  const state = m.interrupted ? ' <b class="bad">interrupted</b>' : m.incomplete ? ' <b class="bad">incomplete (still running or killed)</b>' : '';
  const shardNote = m.shards.length ? ` · shards ${esc(m.shards.join(', '))}` : '';
  const failRows = failures
    .slice(0, 1000)
    .map((r) => `<tr><td>${esc(r.person)}</td><td>${esc(r.garment)}</td><td>${esc(r.error?.code ?? '')}</td><td>${esc(r.error?.message ?? '')}</td></tr>`)
    .join('\n');
  const failList = failures.length
    ? `<details open><summary>${failures.length} failed pair${failures.length === 1 ? '' : 's'}${failures.length > 1000 ? ' (first 1000)' : ''}</summary><table class="failures"><thead><tr><th>person</th><th>garment</th><th>code</th><th>reason</th></tr></thead><tbody>${failRows}</tbody></table></details>`
    : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tryon batch: ${m.persons.length} persons x ${m.garments.length} garments</title>
<style>${STYLE}</style></head>
<body>
<h1>tryon batch: ${m.persons.length} persons &times; ${m.garments.length} garments</h1>
<p class="sum"><b>${done}</b> done · <b${failures.length ? ' class="bad"' : ''}>${failures.length}</b> failed · ${pending} not run${expected > all.length ? ` · ${expected - all.length} in other shards` : ''}${shardNote} · updated ${esc(m.updatedAt)}${state}</p>
<div class="wrap"><table>
<thead><tr><th></th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></div>
${failList}
</body></html>
`;
}
