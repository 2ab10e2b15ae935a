/**
 * Per-group (env, agent, grid point) numbers: final return, AUC and steps-to-threshold per
 * seed with bootstrap CIs of the mean and IQM, and the aligned return / equivariance-error
 * (policy mean's and std's) curves with 95% bands.
 */
import { bootstrapCi, bootstrapCis, stratifiedBootstrapCi, type ConfidenceInterval, type IntervalMethod } from '../stats/bootstrap.js';
import { iqm } from '../stats/trimmed-mean.js';
import { mean, std } from '../stats/descriptive.js';
import { normalizedAuc, stepsToThreshold } from '../stats/curve-metrics.js';
import { alignCurves, interpolateAt, type Curve } from './align-curves.js';
import { seriesName } from './agent-labels.js';
import type { LoadedRun } from './load-runs.js';
import { groupSetup } from './run-setup.js';
import type { CurvePoint, GroupSummary, MetricSummary, SeedValue, ThresholdSummary } from './summary.js';

export interface AnalysisOptions {
  resamples: number;
  curveResamples: number;
  confidence: number;
  ciMethod: IntervalMethod;
  seed: number;
  minSeeds: number | null;
  /** User cap on steps (--max-step), or null. Curves otherwise run as far as minSeeds seeds of the group reached. */
  maxStep: number | null;
}

export interface EnvRange {
  startStep: number;
  endStep: number;
  /** Common step grid of the env within [startStep, endStep] (union of all runs' evaluation steps). */
  grid: number[];
  /** The grid steps whose mean return is a run's final return: those within the final window before endStep ([endStep] without one). */
  finalSteps: number[];
}

export function groupKey(r: Pick<LoadedRun, 'env' | 'agent' | 'gridLabel'>): string {
  return `${r.env}|${r.agent}|${r.gridLabel ?? ''}`;
}

/**
 * The env's common step range. finalWindow (steps, default 0): the final return is the mean
 * return over the grid steps in [endStep - finalWindow, endStep], not the single evaluation at
 * endStep; one evaluation of a policy that is still changing swings a lot (a Walker2d run read
 * 752 at 95k and 148 at 100k), and averaging the last few lowers the seed-to-seed spread.
 */
export function envRange(runs: readonly LoadedRun[], maxStep: number | null, finalWindow = 0): EnvRange {
  const startStep = Math.max(...runs.map((r) => r.evaluations[0].step));
  const endStep = Math.min(maxStep ?? Infinity, ...runs.map((r) => r.evaluations[r.evaluations.length - 1].step));
  const grid = [...new Set(runs.flatMap((r) => r.evaluations.map((e) => e.step)).filter((s) => s >= startStep && s <= endStep))].sort((a, b) => a - b);
  if (!grid.includes(endStep) && endStep >= startStep) grid.push(endStep);
  const finalSteps = grid.filter((s) => s >= endStep - finalWindow);
  return { startStep, endStep, grid, finalSteps: finalSteps.length > 0 ? finalSteps : [endStep] };
}

function curveOf(run: LoadedRun, pick: (e: LoadedRun['evaluations'][number]) => number | null): Curve {
  const pts = run.evaluations.filter((e) => pick(e) !== null && Number.isFinite(pick(e) as number));
  return { id: run.id, steps: pts.map((e) => e.step), values: pts.map((e) => pick(e) as number) };
}

function metric(values: number[], seeds: number[], o: AnalysisOptions, seed: number): MetricSummary {
  const opts = { resamples: o.resamples, confidence: o.confidence, method: o.ciMethod, seed };
  return {
    mean: bootstrapCi(values, mean, opts),
    iqm: stratifiedBootstrapCi([values], undefined, { ...opts, seed: seed + 1 }),
    std: values.length > 1 ? std(values) : null,
    perSeed: values.map((value, i) => ({ seed: seeds[i], value })),
  };
}

function bandCurve(curves: Curve[], o: AnalysisOptions, seed: number, maxStep: number): CurvePoint[] {
  const aligned = alignCurves(curves, { minSeeds: o.minSeeds ?? undefined, maxStep });
  const opts = { resamples: o.curveResamples, confidence: o.confidence, method: o.ciMethod };
  return aligned.steps.map((step, i) => {
    const vals = aligned.values.map((v) => v[i]).filter((v) => !Number.isNaN(v));
    // One stratum (the seeds of one env), so the stratified bootstrap of the IQM is the plain one.
    const { mean: m, iqm: q } = bootstrapCis(vals, { mean, iqm }, { ...opts, seed: seed + i });
    return { step, nSeeds: aligned.nSeeds[i], mean: m.estimate, low: m.low, high: m.high, iqm: q.estimate, iqmLow: q.low, iqmHigh: q.high };
  });
}

export function analyseGroup(runs: readonly LoadedRun[], range: EnvRange, threshold: number | null, o: AnalysisOptions, seed: number): GroupSummary {
  const first = runs[0];
  const seeds = runs.map((r) => r.seed);
  const returnCurves = runs.map((r) => curveOf(r, (e) => e.meanReturn));

  // Final return: every run at the env's end step (or its mean over the final window), so all agents are compared at equal steps.
  const finals = returnCurves.map((c) => mean(range.finalSteps.map((s) => interpolateAt(c.steps, c.values, s))));
  // AUC over the env's common range, on the shared grid.
  const aucs = returnCurves.map((c) => normalizedAuc(range.grid, range.grid.map((s) => interpolateAt(c.steps, c.values, s))));

  let stt: ThresholdSummary | null = null;
  if (threshold !== null) {
    const perSeed: SeedValue[] = returnCurves.map((c, i) => {
      const k = c.steps.findIndex((s) => s > range.endStep);
      const upto = k < 0 ? c.steps.length : k;
      return { seed: seeds[i], value: stepsToThreshold(c.steps.slice(0, upto), c.values.slice(0, upto), threshold) };
    });
    const reachedSteps = perSeed.map((p) => p.value).filter((v): v is number => v !== null);
    stt = {
      threshold,
      reached: reachedSteps.length,
      n: runs.length,
      meanOfReached: reachedSteps.length > 0 ? bootstrapCi(reachedSteps, mean, { resamples: o.resamples, confidence: o.confidence, method: o.ciMethod, seed: seed + 5 }) : null,
      perSeed,
    };
  }

  const equivMean = equivSummary(runs, (e) => e.equivError, range, o, seed + 7, seed + 100_000);
  // Runs written before equivErrorStd existed lack it: they drop out of this one only.
  const equivStd = equivSummary(runs, (e) => e.equivErrorStd ?? null, range, o, seed + 8, seed + 150_000);

  return {
    key: groupKey(first),
    env: first.env,
    agent: first.agent,
    series: seriesName(first.agent, first.gridLabel),
    grid: first.grid,
    gridLabel: first.gridLabel,
    seeds,
    runIds: runs.map((r) => r.id),
    lastSteps: runs.map((r) => r.evaluations[r.evaluations.length - 1].step),
    finalReturn: metric(finals, seeds, o, seed + 10),
    auc: metric(aucs, seeds, o, seed + 20),
    stepsToThreshold: stt,
    finalEquivError: equivMean.final,
    finalEquivErrorStd: equivStd.final,
    returnCurve: bandCurve(returnCurves, o, seed + 50_000, o.maxStep ?? Infinity),
    equivErrorCurve: equivMean.curve,
    equivErrorStdCurve: equivStd.curve,
    setup: groupSetup(runs),
  };
}

/**
 * One equivariance-error column of the evaluations (the policy mean's or std's): its value at
 * the end step (the last evaluation each run has at or before it; mean and CI over seeds) and
 * its band curve. Both null when no run of the group has the column.
 */
function equivSummary(
  runs: readonly LoadedRun[],
  pick: (e: LoadedRun['evaluations'][number]) => number | null,
  range: EnvRange,
  o: AnalysisOptions,
  finalSeed: number,
  curveSeed: number,
): { final: ConfidenceInterval | null; curve: CurvePoint[] | null } {
  const curves = runs.map((r) => curveOf(r, pick)).filter((c) => c.steps.length > 0);
  if (curves.length === 0) return { final: null, curve: null };
  const lastErr = curves
    .map((c) => {
      const idx = c.steps.filter((s) => s <= range.endStep).length - 1;
      return idx >= 0 ? c.values[idx] : Number.NaN;
    })
    .filter((v) => !Number.isNaN(v));
  const final = lastErr.length > 0 ? bootstrapCi(lastErr, mean, { resamples: o.resamples, confidence: o.confidence, method: o.ciMethod, seed: finalSeed }) : null;
  return { final, curve: bandCurve(curves, o, curveSeed, o.maxStep ?? Infinity) };
}
