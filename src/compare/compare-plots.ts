/**
 * The comparison's figures for one env: return curves with 95% bands, final-return box
 * plots, the policy's equivariance errors (its mean's and its std's) over training, and
 * final-return heat maps over grid sweeps. Each is written as SVG and, unless disabled or
 * rasterising fails, PNG.
 */
import { finalReturnWhere } from './final-steps.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bandCurveSpec, type BandPoint } from '../plots/band-curve.js';
import { boxPlotSpec } from '../plots/box-plot.js';
import { heatMapSpec } from '../plots/heat-map.js';
import { intervalPlotSpec } from '../plots/interval-plot.js';
import { colorsFor } from '../plots/palette.js';
import { renderSvg, svgToPng, type VegaLiteSpec } from '../plots/render.js';
import { agentDisplayName } from './agent-labels.js';
import type { AggregateSummary, EnvSummary, GroupSummary, HeatMapSummary } from './summary.js';

export interface PlotWriteOptions {
  plotsDir: string;
  /** Path prefix of plots as seen from report.md, e.g. "plots". */
  relDir: string;
  png: boolean;
  warn: (msg: string) => void;
}

export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._=,-]+/g, '_');
}

async function writePlot(spec: VegaLiteSpec, base: string, o: PlotWriteOptions): Promise<string> {
  const svg = await renderSvg(spec);
  writeFileSync(join(o.plotsDir, `${base}.svg`), svg);
  if (o.png) {
    try {
      writeFileSync(join(o.plotsDir, `${base}.png`), svgToPng(svg));
    } catch (err) {
      o.warn(`PNG for ${base} not written (${(err as Error).message}); the SVG is there`);
    }
  }
  return `${o.relDir}/${base}.svg`;
}

/** Render and write every plot of an env; fills env.plots and heat-map plot paths. */
export async function writeEnvPlots(env: EnvSummary, o: PlotWriteOptions): Promise<void> {
  const order = env.groups.map((g) => g.series);
  const palette = colorsFor(order);
  const colors = (series: string[]): string[] => series.map((s) => palette.get(s) ?? '#888888');
  const e = fileSafe(env.env);

  const returnPoints: BandPoint[] = env.groups.flatMap((g) =>
    g.returnCurve.map((p) => ({ series: g.series, step: p.step, center: p.mean, low: p.low, high: p.high, nSeeds: p.nSeeds })),
  );
  env.plots.returnCurves = await writePlot(
    bandCurveSpec(returnPoints, { title: `${env.env}: evaluation return (mean, 95% bootstrap CI)`, yTitle: 'return', seriesOrder: order, seriesColors: colors(order) }),
    `${e}-return-curves`,
    o,
  );

  const iqmPoints: BandPoint[] = env.groups.flatMap((g) =>
    g.returnCurve.map((p) => ({ series: g.series, step: p.step, center: p.iqm, low: p.iqmLow, high: p.iqmHigh, nSeeds: p.nSeeds })),
  );
  env.plots.returnIqmCurves = await writePlot(
    bandCurveSpec(iqmPoints, { title: `${env.env}: evaluation return (IQM, 95% stratified bootstrap CI)`, yTitle: 'return (IQM)', seriesOrder: order, seriesColors: colors(order) }),
    `${e}-return-iqm-curves`,
    o,
  );

  const boxValues = env.groups.flatMap((g) =>
    g.finalReturn.perSeed.filter((p) => p.value !== null).map((p) => ({ series: g.series, seed: p.seed, value: p.value as number })),
  );
  env.plots.finalReturn = await writePlot(
    boxPlotSpec(boxValues, { title: `${env.env}: return ${finalReturnWhere(env)} (one point per seed)`, yTitle: 'final return', seriesOrder: order, seriesColors: colors(order) }),
    `${e}-final-return`,
    o,
  );

  // The policy mean's and std's equivariance errors, one plot each (the std's only from runs that record it).
  const equivPlots = [
    { key: 'equivError', curve: (g: GroupSummary) => g.equivErrorCurve, what: "policy mean's equivariance error", file: 'equiv-error' },
    { key: 'equivErrorStd', curve: (g: GroupSummary) => g.equivErrorStdCurve, what: "policy std's equivariance error", file: 'equiv-error-std' },
  ];
  for (const { key, curve, what, file } of equivPlots) {
    const equivGroups = env.groups.filter((g) => (curve(g)?.length ?? 0) > 0);
    if (equivGroups.length === 0) continue;
    const pts: BandPoint[] = equivGroups.flatMap((g) =>
      (curve(g) ?? []).map((p) => ({ series: g.series, step: p.step, center: p.mean, low: p.low, high: p.high, nSeeds: p.nSeeds })),
    );
    const positive = pts.every((p) => p.low > 0);
    env.plots[key] = await writePlot(
      bandCurveSpec(pts, {
        title: `${env.env}: ${what} (mean, 95% CI)`,
        yTitle: 'relative equivariance error',
        seriesOrder: equivGroups.map((g) => g.series),
        seriesColors: colors(equivGroups.map((g) => g.series)),
        yScale: positive ? 'log' : 'linear',
      }),
      `${e}-${file}`,
      o,
    );
  }

  for (const hm of env.heatMaps) hm.plot = await writeHeatMap(env, hm, o);
}

async function writeHeatMap(env: EnvSummary, hm: HeatMapSummary, o: PlotWriteOptions): Promise<string> {
  const cells = hm.cells.map((c) => ({ x: c.x, y: c.y ?? 0, value: c.meanFinalReturn, nSeeds: c.nSeeds }));
  return writePlot(
    heatMapSpec(cells, {
      title: `${env.env}: ${agentDisplayName(hm.agent)} mean return ${finalReturnWhere(env)}`,
      xTitle: hm.xAxis,
      yTitle: hm.yAxis ?? '',
      valueTitle: 'mean return',
    }),
    `${fileSafe(env.env)}-${fileSafe(hm.agent)}-grid-heatmap`,
    o,
  );
}

/** The across-env IQM (and mean) of normalised scores with CIs; returns the plot path. */
export async function writeAggregatePlot(agg: AggregateSummary, o: PlotWriteOptions): Promise<string> {
  const order = agg.rows.map((r) => r.series);
  const palette = colorsFor(order);
  const rows = agg.rows.map((r) => ({ series: r.series, estimate: r.iqm.estimate, low: r.iqm.low, high: r.iqm.high }));
  return writePlot(
    intervalPlotSpec(rows, {
      title: `IQM over ${agg.envs.length} envs (score = return / ${agg.baseline}'s mean), 95% stratified bootstrap CI`,
      xTitle: `normalised final return (${agg.baseline} = 1)`,
      seriesOrder: order,
      seriesColors: order.map((s) => palette.get(s) ?? '#888888'),
      reference: 1,
    }),
    'aggregate-iqm',
    o,
  );
}
