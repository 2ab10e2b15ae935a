/**
 * Box plots of one scalar per seed (e.g. final return) per series, with the individual
 * seeds drawn as points on top so small samples are not hidden behind a box.
 */
import type { VegaLiteSpec } from './render.js';

export interface BoxValue {
  series: string;
  value: number;
  seed: number;
}

export interface BoxPlotOptions {
  title: string;
  yTitle: string;
  seriesOrder?: string[];
  /** Colours matching seriesOrder. */
  seriesColors?: string[];
  width?: number;
  height?: number;
}

export function boxPlotSpec(values: readonly BoxValue[], opts: BoxPlotOptions): VegaLiteSpec {
  const order = opts.seriesOrder ?? [...new Set(values.map((v) => v.series))];
  // Long names (agent + grid point) are slanted so neighbours do not overlap.
  const long = order.some((s) => s.length > 14);
  const axis = long ? { labelAngle: -30, labelAlign: 'right', labelLimit: 320 } : { labelAngle: 0 };
  const x = { field: 'series', type: 'nominal', title: null, sort: order, scale: { domain: order }, axis } as const;
  const scale = opts.seriesColors ? { domain: order, range: opts.seriesColors } : { domain: order };
  const color = { field: 'series', type: 'nominal', scale, legend: null } as const;
  const y = { field: 'value', type: 'quantitative', title: opts.yTitle, scale: { zero: false } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: opts.width ?? Math.max(160, 90 * order.length),
    height: opts.height ?? 260,
    background: 'white',
    data: { values: values.map((v) => ({ ...v })) },
    layer: [
      { name: 'box', mark: { type: 'boxplot', extent: 'min-max', size: 36, opacity: 0.5 }, encoding: { x, y, color } },
      {
        name: 'seeds',
        mark: { type: 'point', filled: true, size: 40, opacity: 0.9 },
        encoding: { x, y, color, tooltip: [{ field: 'series' }, { field: 'seed' }, { field: 'value', format: '.4~g' }] },
      },
    ],
  } as VegaLiteSpec;
}
