/**
 * The shape of summary.json: every number shown in report.md, plus the aligned curves.
 */
import type { ConfidenceInterval, IntervalMethod } from '../stats/bootstrap.js';

export interface SeedValue {
  seed: number;
  value: number | null;
}

export interface MetricSummary {
  /** Mean over seeds with a 95% bootstrap CI (options.ciMethod says how it was read). */
  mean: ConfidenceInterval;
  /** Interquartile mean (rliable) with a stratified bootstrap CI. */
  iqm: ConfidenceInterval;
  /** Sample std over seeds (null for one seed). */
  std: number | null;
  perSeed: SeedValue[];
}

export interface ThresholdSummary {
  threshold: number;
  /** Runs whose evaluation return reached the threshold by the end step. */
  reached: number;
  n: number;
  /** Mean first step at/above the threshold over the runs that reached it, with CI; null if none did. */
  meanOfReached: ConfidenceInterval | null;
  perSeed: SeedValue[];
}

export interface CurvePoint {
  step: number;
  nSeeds: number;
  mean: number;
  low: number;
  high: number;
  iqm: number;
  iqmLow: number;
  iqmHigh: number;
}

/** What a group's runs ran (src/compare/run-setup.ts). A value that is not the same in every run is { varies: [values] }. */
export interface GroupSetup {
  /** config.json's keys (keys a run predates at their defaults), seed left out. */
  config: Record<string, unknown>;
  /** Config keys this agent does not use (e.g. actorActivation of an RPP actor). */
  unused: string[];
  /** Facts derived from the config: symmetry used, and per network (actor, one critic) kind, activation, init, hidden widths, parameters, equivariant parameters, penalty. */
  derived: Record<string, unknown>;
  /** Why some facts are missing (no config.json, an unknown env, ...), else null. */
  note: string | null;
}

/** One key in which a compared agent's setup differs from the baseline's. */
export interface SetupDifference {
  key: string;
  source: 'config' | 'derived';
  candidate: unknown;
  baseline: unknown;
  /** Which side does not use this config key (it differs on paper only there). */
  unusedBy: ('candidate' | 'baseline')[];
}

/** For one pair compared: every setting in which the candidate differs from the baseline. */
export interface SetupComparison {
  candidate: string;
  baseline: string;
  differences: SetupDifference[];
}

export interface GroupSummary {
  /** env|agent|gridLabel */
  key: string;
  env: string;
  agent: string;
  /** Display name in tables and legends, e.g. "RPP-SAC" or "RPP-SAC equiv_wd=1e-6,basic_wd=0.01". */
  series: string;
  grid: Record<string, number> | null;
  gridLabel: string | null;
  seeds: number[];
  runIds: string[];
  /** Last evaluation step of each run, same order as seeds. */
  lastSteps: number[];
  finalReturn: MetricSummary;
  auc: MetricSummary;
  stepsToThreshold: ThresholdSummary | null;
  /** Policy equivariance error at the end step (mean and CI), null if the agent has no symmetry. */
  finalEquivError: ConfidenceInterval | null;
  /** The same for the policy's std (evaluations' equivErrorStd); null also when the runs predate it. */
  finalEquivErrorStd: ConfidenceInterval | null;
  returnCurve: CurvePoint[];
  /** What the group's runs ran: config, unused keys, network facts. */
  setup: GroupSetup;
  equivErrorCurve: CurvePoint[] | null;
  equivErrorStdCurve: CurvePoint[] | null;
}

export type PairMetric = 'finalReturn' | 'auc' | 'stepsToThreshold';

export interface PairwiseSummary {
  metric: PairMetric;
  candidate: string;
  baseline: string;
  nCandidate: number;
  nBaseline: number;
  /** candidate - baseline, mean difference with a 95% bootstrap CI; null if not comparable. */
  difference: ConfidenceInterval | null;
  welch: { t: number; df: number; p: number } | null;
  /** P(candidate seed > baseline seed), ties half (rliable); for steps, P(fewer steps). */
  probabilityOfImprovement: number | null;
  /** Welch's p < alpha, this test alone. */
  significant: boolean;
  /**
   * Welch's p after Holm's correction over every test in the report (all envs, agents and
   * metrics; family = how many had a p). null: not tested. Absent in summaries written before.
   */
  holm?: { p: number; family: number } | null;
  /** holm.p < alpha: significant with the whole report's tests taken into account. */
  significantAfterHolm?: boolean;
  /**
   * The true difference this test detects with 80% power: simulated studies of normal seeds
   * with the two groups' standard deviations and counts (stats/power.ts). null: not tested,
   * or no spread to speak of. Absent in summaries written before.
   */
  detectable?: number | null;
  verdict: string;
}

/** One metric's power figures for an env (see EnvPower). */
export interface MetricPower {
  /** Seed-to-seed standard deviation pooled over the env's agents (n - 1 weighted); null below 2 seeds. */
  pooledSd: number | null;
  /** The true difference between two agents of seedsPerAgent seeds each that Welch's test detects with `power`. */
  detectable: number | null;
  /** The baseline's mean, to read detectable against; null without a baseline. */
  baselineMean: number | null;
  /**
   * Seeds per agent needed to detect a true difference of `share` (10%) of the baseline's mean
   * with the same test and power; null without a positive baseline mean or a pooled sd.
   * Absent in summaries written before.
   */
  seedsForShare?: { share: number; difference: number; seeds: number; atLeast: boolean } | null;
}

/** What differences the env's comparisons can see, at the study's size. */
export interface EnvPower {
  /** Seeds per agent the figures are for. */
  seedsPerAgent: number;
  /** 'sweep plan': the sweep manifest's seeds per agent; 'runs': the most seeds any agent has here. */
  seedsFrom: 'sweep plan' | 'runs';
  power: number;
  alpha: number;
  finalReturn: MetricPower;
  auc: MetricPower;
}

export interface HeatMapSummary {
  agent: string;
  xAxis: string;
  yAxis: string | null;
  cells: { x: number; y: number | null; meanFinalReturn: number; nSeeds: number }[];
  plot: string | null;
}

export interface EnvSummary {
  env: string;
  /** Step at which final return is measured: the last step every included run of the env reached. */
  endStep: number;
  /** The evaluation steps whose mean return is the final return (with --final-window; absent in summaries written before: [endStep]). */
  finalSteps?: number[];
  /** First step of the common range (the latest first evaluation). */
  startStep: number;
  threshold: number | null;
  baseline: string | null;
  groups: GroupSummary[];
  pairwise: PairwiseSummary[];
  /** For each agent compared with the baseline: every config key and network fact in which they differ. */
  setupDifferences: SetupComparison[];
  heatMaps: HeatMapSummary[];
  plots: Record<string, string>;
  /** What size of difference the comparisons can detect (null: no agent has 2 seeds). Absent in summaries written before. */
  power?: EnvPower | null;
}

export interface AggregateRow {
  series: string;
  nRuns: number;
  /** IQM of normalised final returns over all envs' runs, stratified bootstrap CI. */
  iqm: ConfidenceInterval;
  /** Mean of normalised final returns, stratified bootstrap CI. */
  mean: ConfidenceInterval;
  /** P(run of this agent beats a baseline run on the same env), averaged over envs; null for the baseline. */
  probabilityOfImprovement: number | null;
}

export interface AggregateSummary {
  normalisation: string;
  baseline: string;
  envs: string[];
  rows: AggregateRow[];
  plot: string | null;
}

export interface CompareSummary {
  version: 1;
  /** The sweep directory relative to the output directory (`..` by default): no path of the machine it was made on. */
  sweepDir: string;
  createdAt: string;
  options: {
    resamples: number;
    curveResamples: number;
    confidence: number;
    /** How bootstrap intervals are read off the resamples (stats/bootstrap.ts). Absent in summaries written before: 'percentile'. */
    ciMethod?: IntervalMethod;
    alpha: number;
    seed: number;
    minSeeds: number | null;
    maxStep: number | null;
    includeFailed: boolean;
    /** Final return is the mean return over this many steps before each env's end step (0: the end step's evaluation). Absent in summaries written before: 0. */
    finalWindow?: number;
  };
  envs: EnvSummary[];
  /** Across-env aggregate (2+ envs with a baseline), else null. */
  aggregate: AggregateSummary | null;
  excluded: { id: string; reason: string }[];
  warnings: string[];
}
