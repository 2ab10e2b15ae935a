/**
 * Heat map of a scalar over a 2-D hyperparameter grid (the RPP paper's Fig. 3 right:
 * final return over equivWd x basicWd), each cell labelled with its value and seed count.
 */
import type { VegaLiteSpec } from './render.js';

export interface HeatCell {
  x: number;
  y: number;
  value: number;
  nSeeds: number;
}

export interface HeatMapOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  valueTitle: string;
}

/** 1e-6 -> "1e-6"; 0.01 -> "0.01" (short, exact labels for weight-decay grids). */
function label(v: number): string {
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential().replace('e+', 'e');
  return String(v);
}

export function heatMapSpec(cells: readonly HeatCell[], opts: HeatMapOptions): VegaLiteSpec {
  const xs = [...new Set(cells.map((c) => c.x))].sort((a, b) => a - b).map(label);
  const ys = [...new Set(cells.map((c) => c.y))].sort((a, b) => b - a).map(label);
  const values = cells.map((c) => ({ x: label(c.x), y: label(c.y), value: c.value, nSeeds: c.nSeeds, text: `${Number(c.value.toPrecision(4))} (n=${c.nSeeds})` }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: Math.max(160, 110 * xs.length),
    height: Math.max(120, 60 * ys.length),
    background: 'white',
    data: { values },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: opts.xTitle, sort: xs, axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'ordinal', title: opts.yTitle, sort: ys },
    },
    layer: [
      { name: 'cells', mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: opts.valueTitle, scale: { scheme: 'viridis' } } } },
      { name: 'labels', mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'text' }, color: { value: 'white' } } },
    ],
  } as VegaLiteSpec;
}
