/**
 * The summary of a quality run (per metric: count, median, p10/p90 and the share of pairs past
 * its threshold, over all pairs and per garment category) and its comparison with a baseline.
 */
import type { GarmentCategory } from '../../src/types.ts';
import type { PairMetrics } from './metrics.ts';
import type { PairRecord } from './pairs.ts';

type MetricName = keyof PairMetrics;

/** When a pair is bad by a metric; `applies` picks the pairs the share is taken over. */
interface Threshold {
  metric: MetricName;
  /** What "bad" means, for the table. */
  rule: string;
  bad: (v: number) => boolean;
  applies?: (r: PairRecord) => boolean;
}

/** Remnants below this share of the silhouette (%) count as none: a few stray pixels of parsing noise. */
export const REMNANTS_NONE = 0.02;

export const THRESHOLDS: readonly Threshold[] = [
  { metric: 'spill', rule: '> 0.5 %', bad: (v) => v > 0.5 },
  { metric: 'synthSkin', rule: '> 1 %', bad: (v) => v > 1 },
  { metric: 'textureRatio', rule: 'outside 0.7-1.3 (synth skin > 1 %)', bad: (v) => v < 0.7 || v > 1.3, applies: (r) => r.metrics.synthSkin > 1 },
  { metric: 'seamStep', rule: '> 3 dE00 (synth skin > 1 %)', bad: (v) => v > 3, applies: (r) => r.metrics.synthSkin > 1 },
  { metric: 'remnants', rule: `> ${REMNANTS_NONE} %`, bad: (v) => v > REMNANTS_NONE },
  { metric: 'sleeveAxis', rule: '> 15 deg', bad: (v) => v > 15 },
  { metric: 'ssimOutside', rule: '< 0.99', bad: (v) => v < 0.99 },
  { metric: 'deltaE', rule: '> 4 dE00', bad: (v) => v > 4 },
];

export interface MetricSummary {
  count: number;
  median: number | null;
  p10: number | null;
  p90: number | null;
  /** Share (0..1) of the pairs it applies to that are past the threshold. */
  bad: number | null;
}

export interface QualitySummary {
  pairs: number;
  failed: number;
  metrics: Record<string, MetricSummary>;
  byCategory: Partial<Record<GarmentCategory, Record<string, MetricSummary>>>;
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function summarise(records: PairRecord[], t: Threshold): MetricSummary {
  const values = records
    .filter((r) => !r.error && (!t.applies || t.applies(r)))
    .map((r) => r.metrics[t.metric])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    count: values.length,
    median: round(quantile(values, 0.5)),
    p10: round(quantile(values, 0.1)),
    p90: round(quantile(values, 0.9)),
    bad: values.length ? round(values.filter(t.bad).length / values.length) : null,
  };
}

function metricsOf(records: PairRecord[]): Record<string, MetricSummary> {
  return Object.fromEntries(THRESHOLDS.map((t) => [t.metric, summarise(records, t)]));
}

export function summary(records: PairRecord[]): QualitySummary {
  const byCategory: QualitySummary['byCategory'] = {};
  for (const c of ['upper', 'lower', 'dress'] as const) {
    const some = records.filter((r) => r.category === c);
    if (some.length) byCategory[c] = metricsOf(some);
  }
  return { pairs: records.length, failed: records.filter((r) => r.error).length, metrics: metricsOf(records), byCategory };
}

const fmt = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${Math.round(v * 100)} %`);

/** The summary table, optionally against a baseline's summary: Markdown, to paste into a note. */
export function summaryTable(now: QualitySummary, base?: QualitySummary | null): string {
  const rows: string[] = [];
  const head = base
    ? ['metric', 'bad when', 'median (base)', 'median (now)', 'p90 (base)', 'p90 (now)', 'bad (base)', 'bad (now)']
    : ['metric', 'bad when', 'n', 'median', 'p10', 'p90', 'bad'];
  rows.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
  const section = (label: string, m: Record<string, MetricSummary>, b?: Record<string, MetricSummary>): void => {
    for (const t of THRESHOLDS) {
      const s = m[t.metric];
      if (!s || s.count === 0) continue;
      const name = label ? `${label} ${t.metric}` : t.metric;
      if (b) {
        const o = b[t.metric];
        rows.push(`| ${name} | ${t.rule} | ${fmt(o?.median)} | ${fmt(s.median)} | ${fmt(o?.p90)} | ${fmt(s.p90)} | ${pct(o?.bad)} | ${pct(s.bad)} |`);
      } else rows.push(`| ${name} | ${t.rule} | ${s.count} | ${fmt(s.median)} | ${fmt(s.p10)} | ${fmt(s.p90)} | ${pct(s.bad)} |`);
    }
  };
  section('', now.metrics, base?.metrics);
  for (const c of ['upper', 'lower', 'dress'] as const) {
    const m = now.byCategory[c];
    if (!m) continue;
    // Per category only the metrics whose meaning changes with it.
    const pick = (r?: Record<string, MetricSummary>): Record<string, MetricSummary> | undefined => r && { spill: r.spill, remnants: r.remnants };
    section(c, pick(m)!, pick(base?.byCategory[c]));
  }
  const pairs = base ? `${now.pairs} pairs (${now.failed} failed); baseline ${base.pairs} (${base.failed} failed)` : `${now.pairs} pairs (${now.failed} failed)`;
  return `${pairs}\n\n${rows.join('\n')}`;
}
