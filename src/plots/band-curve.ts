/**
 * Curves with confidence bands, one series per agent (or agent + grid point): a line
 * for the centre (mean or IQM) over an area from low to high. Used for reward curves and
 * for the policy equivariance error over training (the RPP paper's Fig. 3 left).
 */
import type { VegaLiteSpec } from './render.js';

export interface BandPoint {
  series: string;
  step: number;
  center: number;
  low: number;
  high: number;
  /** Seeds contributing at this step (shown in the tooltip). */
  nSeeds: number;
}

export interface BandCurveOptions {
  title: string;
  yTitle: string;
  /** Series in legend/colour order; default: order of first appearance. */
  seriesOrder?: string[];
  /** Colours matching seriesOrder, so a series keeps its colour across figures. */
  seriesColors?: string[];
  yScale?: 'linear' | 'log';
  width?: number;
  height?: number;
}

export function bandCurveSpec(points: readonly BandPoint[], opts: BandCurveOptions): VegaLiteSpec {
  const order = opts.seriesOrder ?? [...new Set(points.map((p) => p.series))];
  const scale = opts.seriesColors ? { domain: order, range: opts.seriesColors } : { domain: order };
  const color = { field: 'series', type: 'nominal', title: null, scale, sort: order } as const;
  // zero:false lets return curves use the vertical space; log scales have no zero anyway.
  const yScale = opts.yScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false };
  // On a log axis vega ticks every 1..9 x 10^k; keep ticks to powers of ten in short exponent form.
  const yAxis = opts.yScale === 'log' ? { format: '.0e', values: powersOfTen(points) } : {};
  const y = { type: 'quantitative', title: opts.yTitle, scale: yScale, axis: yAxis } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    width: opts.width ?? 480,
    height: opts.height ?? 280,
    background: 'white',
    // The band and the line share one colour legend; draw its symbols as solid strokes.
    config: { legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3, labelLimit: 320 } },
    data: { values: points.map((p) => ({ ...p })) },
    encoding: { x: { field: 'step', type: 'quantitative', title: 'environment steps', axis: { format: '~s' } } },
    layer: [
      {
        name: 'band',
        mark: { type: 'area', opacity: 0.2 },
        encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
      },
      {
        name: 'center',
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          y: { ...y, field: 'center' },
          color,
          tooltip: [
            { field: 'series', type: 'nominal' },
            { field: 'step', type: 'quantitative' },
            { field: 'center', type: 'quantitative', format: '.4~g' },
            { field: 'low', type: 'quantitative', format: '.4~g' },
            { field: 'high', type: 'quantitative', format: '.4~g' },
            { field: 'nSeeds', type: 'quantitative' },
          ],
        },
      },
    ],
  } as VegaLiteSpec;
}

/** 10^k for every k between the smallest positive low and the largest high. */
function powersOfTen(points: readonly BandPoint[]): number[] {
  const vals = points.flatMap((p) => [p.low, p.high, p.center]).filter((v) => v > 0 && Number.isFinite(v));
  if (vals.length === 0) return [];
  const lo = Math.floor(Math.log10(Math.min(...vals)));
  const hi = Math.ceil(Math.log10(Math.max(...vals)));
  const out: number[] = [];
  for (let k = lo; k <= hi; k++) out.push(10 ** k);
  return out;
}
