/**
 * Point estimates with confidence intervals, one row per series (rliable's aggregate
 * "interval estimates" figure), e.g. the across-env IQM of normalised scores.
 */
import type { VegaLiteSpec } from './render.js';

export interface IntervalRow {
  series: string;
  estimate: number;
  low: number;
  high: number;
}

export interface IntervalPlotOptions {
  title: string;
  xTitle: string;
  seriesOrder?: string[];
  seriesColors?: string[];
  /** Draw a dashed reference line here (e.g. 1 = the baseline's score). */
  reference?: number;
}

export function intervalPlotSpec(rows: readonly IntervalRow[], opts: IntervalPlotOptions): VegaLiteSpec {
  const order = opts.seriesOrder ?? rows.map((r) => r.series);
  const scale = opts.seriesColors ? { domain: order, range: opts.seriesColors } : { domain: order };
  const y = { field: 'series', type: 'nominal', title: null, sort: order, axis: { labelLimit: 320 } } as const;
  const color = { field: 'series', type: 'nominal', scale, legend: null } as const;
  const layers: unknown[] = [
    {
      name: 'ci',
      mark: { type: 'rule', strokeWidth: 6, opacity: 0.5 },
      encoding: { y, x: { field: 'low', type: 'quantitative', title: opts.xTitle, scale: { zero: false } }, x2: { field: 'high' }, color },
    },
    {
      name: 'estimate',
      mark: { type: 'tick', thickness: 3, size: 22 },
      encoding: {
        y,
        x: { field: 'estimate', type: 'quantitative' },
        color,
        tooltip: [{ field: 'series' }, { field: 'estimate', format: '.4~g' }, { field: 'low', format: '.4~g' }, { field: 'high', format: '.4~g' }],
      },
    },
  ];
  if (opts.reference !== undefined) {
    layers.push({ name: 'reference', data: { values: [{ ref: opts.reference }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { x: { field: 'ref', type: 'quantitative' } } });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: 420,
    height: Math.max(60, 34 * order.length),
    background: 'white',
    data: { values: rows.map((r) => ({ ...r })) },
    layer: layers,
  } as VegaLiteSpec;
}
