/**
 * `rpp-sac compare <sweepDir>`: load the runs, compute per-agent statistics and
 * comparisons against SAC, draw the plots, write report.md and summary.json.
 */
import { CompareInputError } from './compare-input-error.js';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { getDefaultLogger, type Logger } from '../logging.js';
import { readManifest } from '../sweep/manifest.js';
import type { IntervalMethod } from '../stats/bootstrap.js';
import { mean } from '../stats/descriptive.js';
import { aggregateAcrossEnvs } from './aggregate.js';
import { compareAgents } from './agent-labels.js';
import { applyHolm } from './family-correction.js';
import { envPower, plannedSeedsPerAgent } from './env-power.js';
import { writeAggregatePlot, writeEnvPlots } from './compare-plots.js';
import { analyseGroup, envRange, groupKey } from './group-analysis.js';
import { loadSweepRuns, type LoadedRun } from './load-runs.js';
import { comparePair } from './pairwise.js';
import { renderReport } from './report-markdown.js';
import { setupDifferences } from './run-setup.js';
import type { CompareSummary, EnvSummary, GroupSummary, HeatMapSummary, PairMetric, SetupComparison } from './summary.js';
import { parseThresholds } from './thresholds.js';

export interface CompareOptions {
  /** Output directory. Default `<sweepDir>/compare`. */
  outDir?: string;
  /** Return threshold for steps-to-threshold: one number, or "Env=X,Env2=Y". Default: none. */
  threshold?: string | number;
  /** Bootstrap resamples for table CIs. Default 2000. */
  resamples?: number;
  /** Bootstrap resamples per curve point. Default 1000. */
  curveResamples?: number;
  confidence?: number;
  /**
   * How bootstrap CIs are read off the resamples: 'expanded' (default; Hesterberg's expanded
   * percentile, near nominal coverage at 5 seeds) or 'percentile' (rliable's plain percentile).
   */
  ciMethod?: IntervalMethod;
  /** Significance level of the verdicts. Default 0.05. */
  alpha?: number;
  seed?: number;
  /** Extend curves to steps reached by at least this many seeds of a group (default: all seeds). */
  minSeeds?: number;
  /** Compare at this step at most (cuts longer runs). */
  maxStep?: number;
  /**
   * Final return as the mean return over the evaluations in [end step - finalWindow, end step]
   * rather than the end step's alone (e.g. 20000: the last 5 of a 100k run evaluated every 5k).
   * Default 0.
   */
  finalWindow?: number;
  /** Include runs whose status.json says failed (default: left out and listed). */
  includeFailed?: boolean;
  /**
   * Leave out runs that have not finished (status running or interrupted), listing each with
   * its step: a published report of a study still in progress then compares whole runs only.
   * Default false (a running study's partial curves are compared up to the common step).
   */
  finishedOnly?: boolean;
  /** Agent the others are compared with. Default "sac". */
  baseline?: string;
  /** Also write PNGs. Default true. */
  png?: boolean;
  logger?: Logger;
}

export interface CompareResult {
  outDir: string;
  reportPath: string;
  summaryPath: string;
  summary: CompareSummary;
}

export async function compareSweep(sweepDir: string, opts: CompareOptions = {}): Promise<CompareResult> {
  const logger = opts.logger ?? getDefaultLogger();
  const dir = resolve(sweepDir);
  if (!existsSync(dir)) throw new CompareInputError(`Sweep directory ${dir} does not exist; pass the --out dir of \`npx rpp-sac sweep\``);
  const outDir = resolve(opts.outDir ?? join(dir, 'compare'));
  const plotsDir = join(outDir, 'plots');
  // Resolved once: summary.json's options leave it optional only for summaries written before it existed.
  const ciMethod: IntervalMethod = opts.ciMethod ?? 'expanded';
  const options: CompareSummary['options'] = {
    resamples: opts.resamples ?? 2000,
    curveResamples: opts.curveResamples ?? 1000,
    confidence: opts.confidence ?? 0.95,
    ciMethod,
    alpha: opts.alpha ?? 0.05,
    seed: opts.seed ?? 0,
    minSeeds: opts.minSeeds ?? null,
    maxStep: opts.maxStep ?? null,
    includeFailed: opts.includeFailed ?? false,
    finalWindow: opts.finalWindow ?? 0,
  };
  if (!Number.isInteger(options.finalWindow) || (options.finalWindow ?? 0) < 0) {
    throw new CompareInputError(`finalWindow ${String(opts.finalWindow)}: give a whole number of steps >= 0 (0: the final return is the end step's evaluation).`);
  }
  const thresholdFor = parseThresholds(opts.threshold);
  const baselineAgent = opts.baseline ?? 'sac';
  const warnings: string[] = [];

  const manifest = readManifest(dir);
  const loaded = loadSweepRuns(dir);
  const excluded = [...loaded.unusable];
  const runs: LoadedRun[] = [];
  for (const r of loaded.runs) {
    for (const w of r.warnings) warnings.push(`${r.id}/evaluations.jsonl ${w}`);
    if (r.status?.state === 'failed' && !options.includeFailed) excluded.push({ id: r.id, reason: `status failed at step ${r.status.step} (use --include-failed to keep it)` });
    else if (opts.finishedOnly && r.status?.state !== 'finished' && r.status?.state !== 'failed') {
      excluded.push({ id: r.id, reason: `not finished (${r.status?.state ?? 'no status'} at step ${r.status?.step ?? 0} of ${r.status?.totalSteps ?? '?'}; --finished-only)` });
    } else runs.push(r);
  }
  if (runs.length === 0) throw new CompareInputError(`All runs under ${dir} are failed, unusable${opts.finishedOnly ? ' or unfinished' : ''}; nothing to compare (see --include-failed${opts.finishedOnly ? ', --finished-only' : ''})`);
  const agentsFound = [...new Set(runs.map((r) => r.agent))].sort();
  if (opts.baseline !== undefined && !agentsFound.includes(baselineAgent)) {
    throw new CompareInputError(`--baseline ${baselineAgent}: no runs of that agent under ${dir}; choose one of: ${agentsFound.join(', ')}. Nothing was written.`);
  }
  // Written only once the input is known to be comparable: a refused comparison leaves no compare/ behind.
  mkdirSync(plotsDir, { recursive: true });

  const envNames = [...new Set(runs.map((r) => r.env))].sort();
  const envs: EnvSummary[] = [];
  let seedBase = options.seed;
  for (const env of envNames) {
    const envRuns = runs.filter((r) => r.env === env);
    const range = envRange(envRuns, options.maxStep, options.finalWindow);
    if (range.endStep < range.startStep) {
      warnings.push(`${env}: runs share no common step range (latest first evaluation ${range.startStep} > earliest last evaluation ${range.endStep}); skipped`);
      continue;
    }
    const grouped = groupRuns(envRuns);
    for (const g of grouped) {
      const seen = new Map<number, string>();
      for (const r of g) {
        const prev = seen.get(r.seed);
        if (prev !== undefined) warnings.push(`${env}: seed ${r.seed} of ${r.agent}${r.gridLabel ? ` (${r.gridLabel})` : ''} appears twice (${prev} and ${r.id}); both count as separate runs. Compare one sweep at a time to avoid this.`);
        seen.set(r.seed, r.id);
      }
    }
    const groups = grouped.map((g) => {
      seedBase += 1_000_003;
      return analyseGroup(g, range, thresholdFor(env), { ...options, ciMethod, minSeeds: options.minSeeds }, seedBase);
    });
    const shortest = Math.min(...envRuns.map((r) => r.evaluations[r.evaluations.length - 1].step));
    const longest = Math.max(...envRuns.map((r) => r.evaluations[r.evaluations.length - 1].step));
    if (shortest < longest && options.maxStep === null) {
      const short = envRuns.filter((r) => r.evaluations[r.evaluations.length - 1].step === shortest).map((r) => r.id);
      warnings.push(`${env}: runs stop at different steps (${shortest} to ${longest}); final return and AUC use step ${range.endStep}, set by ${short.join(', ')}`);
    }
    const baseline = groups.find((g) => g.agent === baselineAgent && g.gridLabel === null) ?? groups.find((g) => g.agent === baselineAgent) ?? null;
    const pairwise = [];
    const setupComparisons: SetupComparison[] = [];
    if (baseline) {
      const metrics: PairMetric[] = ['finalReturn', 'auc', ...(thresholdFor(env) !== null ? (['stepsToThreshold'] as const) : [])];
      for (const g of groups) {
        if (g === baseline) continue;
        setupComparisons.push({ candidate: g.series, baseline: baseline.series, differences: setupDifferences(g.setup, baseline.setup) });
        for (const m of metrics) {
          seedBase += 17;
          pairwise.push(comparePair(g, baseline, m, { resamples: options.resamples, confidence: options.confidence, method: ciMethod, alpha: options.alpha, seed: seedBase }));
        }
      }
    } else if (groups.length > 1) {
      warnings.push(`${env}: no ${baselineAgent} runs, so no pairwise comparisons (choose another with --baseline)`);
    }
    const envSummary: EnvSummary = {
      env,
      endStep: range.endStep,
      finalSteps: range.finalSteps,
      startStep: range.startStep,
      threshold: thresholdFor(env),
      baseline: baseline?.series ?? null,
      groups,
      pairwise,
      setupDifferences: setupComparisons,
      heatMaps: heatMaps(groups, warnings, env),
      plots: {},
      power: envPower(groups, baseline, plannedSeedsPerAgent(manifest, env), options.alpha, options.seed + 3),
    };
    await writeEnvPlots(envSummary, { plotsDir, relDir: 'plots', png: opts.png ?? true, warn: (m) => warnings.push(m) });
    envs.push(envSummary);
  }

  applyHolm(envs, options.alpha);
  const aggregate = aggregateAcrossEnvs(envs, { resamples: options.resamples, confidence: options.confidence, method: ciMethod, seed: options.seed + 7 }, warnings);
  if (aggregate) aggregate.plot = await writeAggregatePlot(aggregate, { plotsDir, relDir: 'plots', png: opts.png ?? true, warn: (m) => warnings.push(m) });
  const summary: CompareSummary = { version: 1, sweepDir: relative(outDir, dir).split(sep).join('/') || '.', createdAt: new Date().toISOString(), options, envs, aggregate, excluded, warnings };
  const name = manifest?.name ?? basename(dir);
  const reportPath = join(outDir, 'report.md');
  const summaryPath = join(outDir, 'summary.json');
  writeFileSync(reportPath, renderReport(summary, `Comparison: ${name}`) + '\n');
  writeFileSync(summaryPath, JSON.stringify(summary, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  for (const w of warnings) logger.warn(w);
  logger.info(`compare: ${runs.length} runs in ${envs.length} env(s); report ${reportPath}`);
  return { outDir, reportPath, summaryPath, summary };
}

/** Groups of runs by (agent, grid point) within an env, SAC first, seeds ascending. */
function groupRuns(envRuns: LoadedRun[]): LoadedRun[][] {
  const map = new Map<string, LoadedRun[]>();
  for (const r of envRuns) {
    const k = groupKey(r);
    map.set(k, [...(map.get(k) ?? []), r]);
  }
  return [...map.values()]
    .map((rs) => rs.sort((a, b) => a.seed - b.seed))
    .sort((a, b) => compareAgents(a[0].agent, b[0].agent) || compareGrid(a[0].grid, b[0].grid));
}

/** Ungridded first, then by grid values axis by axis, numerically. */
function compareGrid(a: Record<string, number> | null, b: Record<string, number> | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  for (const k of Object.keys(a)) {
    const d = (a[k] ?? 0) - (b[k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** One heat map per gridded agent with 1 or 2 axes (equiv axis on x when it can be told). */
function heatMaps(groups: GroupSummary[], warnings: string[], env: string): HeatMapSummary[] {
  const out: HeatMapSummary[] = [];
  for (const agent of [...new Set(groups.filter((g) => g.grid !== null).map((g) => g.agent))]) {
    const gs = groups.filter((g) => g.agent === agent && g.grid !== null);
    const axes = Object.keys(gs[0].grid ?? {});
    if (axes.length > 2 || gs.some((g) => Object.keys(g.grid ?? {}).join() !== axes.join())) {
      warnings.push(`${env}: no heat map for ${agent}: needs the same 1 or 2 grid axes in every grid point, got ${axes.join(', ')}`);
      continue;
    }
    const xAxis = axes.find((a) => /equiv/i.test(a)) ?? axes[0];
    const yAxis = axes.find((a) => a !== xAxis) ?? null;
    out.push({
      agent,
      xAxis,
      yAxis,
      cells: gs.map((g) => {
        const vals = g.finalReturn.perSeed.map((p) => p.value).filter((v): v is number => v !== null);
        return { x: (g.grid ?? {})[xAxis], y: yAxis ? (g.grid ?? {})[yAxis] : null, meanFinalReturn: mean(vals), nSeeds: vals.length };
      }),
      plot: null,
    });
  }
  return out;
}
