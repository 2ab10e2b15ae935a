/**
 * Seeded bootstrap confidence intervals: one sample, the difference of two
 * independent samples, and rliable's stratified bootstrap (resample runs within each
 * task/stratum independently, then aggregate over all strata).
 *
 * Two ways to read an interval off the resamples:
 * - 'percentile': the (1 - c)/2 and (1 + c)/2 percentiles (rliable's intervals).
 * - 'expanded' (default): Hesterberg's expanded percentile interval ("What teachers
 *   should know about the bootstrap", Am. Stat. 2015, sec. 4.5): the same resamples, read at
 *   the tail alpha'/2 = P(Z > sqrt(n / (n - 1)) t_{n-1, (1 + c)/2}) instead of (1 - c)/2.
 *   Why: the plain percentile interval is too narrow with the few seeds RL studies
 *   have. Simulated with this module (normal data, 1000 trials), a nominal 95% interval
 *   of a mean covers 75% at 3 seeds, 84% at 5 and 91% at 10; of a difference of means 80%,
 *   88% and 93%. Expanded: 75% (3 seeds: the interval is already the data's range), 91% and
 *   96% for a mean at 5 and 10 seeds, 89%, 96% and 96% for a difference. n is the smallest
 *   sample resampled (minSamples).
 *
 * Same seed + same data = same interval, so reports are reproducible.
 */
import { Rng } from '../random.js';
import { mean, percentileOfSorted } from './descriptive.js';
import { normalUpperTail } from './normal.js';
import { studentTQuantile } from './student-t.js';
import { iqm } from './trimmed-mean.js';

export type IntervalMethod = 'expanded' | 'percentile';

export interface BootstrapOptions {
  /** Number of bootstrap resamples. Default 2000. */
  resamples?: number;
  /** Coverage of the interval, in (0, 1). Default 0.95. */
  confidence?: number;
  /** Seed of the resampling Rng. Default 0. */
  seed?: number;
  /** How the interval is read off the resamples (see the module comment). Default 'expanded'. */
  method?: IntervalMethod;
}

export interface ConfidenceInterval {
  /** The statistic on the original data (not the bootstrap mean). */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  /**
   * Size of the smallest sample resampled (seeds per agent; for a difference, the smaller
   * side; stratified, the smallest stratum). Below 2 every resample equals the data, so
   * low = high = estimate says nothing about uncertainty: reports print no interval then.
   */
  minSamples?: number;
  /** How the interval was read off the resamples (absent: written before methods existed, 'percentile'). */
  method?: IntervalMethod;
  /** The percentile each bound was read at, in percent (low at this, high at 100 minus this). */
  tailPercent?: number;
}

export type Statistic = (values: readonly number[]) => number;

interface ResolvedOptions {
  resamples: number;
  confidence: number;
  method: IntervalMethod;
  rng: Rng;
}

function resolve(opts: BootstrapOptions): ResolvedOptions {
  const resamples = opts.resamples ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new Error(`bootstrap resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`bootstrap confidence must be in (0, 1), got ${confidence}`);
  const method = opts.method ?? 'expanded';
  if (method !== 'expanded' && method !== 'percentile') throw new Error(`bootstrap method must be 'expanded' or 'percentile', got '${String(method)}'`);
  return { resamples, confidence, method, rng: new Rng(opts.seed ?? 0) };
}

function resampleInto(out: number[], values: readonly number[], rng: Rng): number[] {
  const n = values.length;
  // Multiply-shift index draw from one 32-bit word (bias below n / 2^32): bootstraps
  // draw millions of indices, and this halves the cost of Rng.int's 53-bit draw.
  for (let i = 0; i < n; i++) out[i] = values[Math.floor((rng.nextUint32() * n) / 4294967296)];
  return out;
}

/**
 * The tail, in percent, at which an interval of this coverage is read for samples of n:
 * (1 - c)/2 for 'percentile'; for 'expanded', P(Z > sqrt(n / (n - 1)) t_{n-1, (1 + c)/2})
 * (n = 1 has no spread to expand: the percentile tail).
 */
export function intervalTailPercent(method: IntervalMethod, confidence: number, n: number): number {
  const plain = ((1 - confidence) / 2) * 100;
  if (method === 'percentile' || n < 2) return plain;
  return normalUpperTail(Math.sqrt(n / (n - 1)) * studentTQuantile((1 + confidence) / 2, n - 1)) * 100;
}

function interval(estimate: number, draws: number[], o: ResolvedOptions, minSamples: number): ConfidenceInterval {
  draws.sort((a, b) => a - b);
  const tail = intervalTailPercent(o.method, o.confidence, minSamples);
  return {
    estimate,
    low: percentileOfSorted(draws, tail),
    high: percentileOfSorted(draws, 100 - tail),
    confidence: o.confidence,
    resamples: o.resamples,
    minSamples,
    method: o.method,
    tailPercent: tail,
  };
}

/** Bootstrap CI of `statistic` (default: the mean) over one sample. */
export function bootstrapCi(values: readonly number[], statistic: Statistic = mean, opts: BootstrapOptions = {}): ConfidenceInterval {
  if (values.length === 0) throw new Error('bootstrapCi needs at least one value, got an empty array');
  const o = resolve(opts);
  const buf = new Array<number>(values.length);
  const draws: number[] = [];
  for (let r = 0; r < o.resamples; r++) draws.push(statistic(resampleInto(buf, values, o.rng)));
  return interval(statistic(values), draws, o, values.length);
}

/**
 * Several statistics' CIs from the same resamples (e.g. mean and IQM of a curve point):
 * one pass of index draws instead of one per statistic.
 */
export function bootstrapCis<K extends string>(
  values: readonly number[],
  statistics: Record<K, Statistic>,
  opts: BootstrapOptions = {},
): Record<K, ConfidenceInterval> {
  if (values.length === 0) throw new Error('bootstrapCis needs at least one value, got an empty array');
  const o = resolve(opts);
  const keys = Object.keys(statistics) as K[];
  const buf = new Array<number>(values.length);
  const draws = keys.map(() => [] as number[]);
  for (let r = 0; r < o.resamples; r++) {
    resampleInto(buf, values, o.rng);
    for (let k = 0; k < keys.length; k++) draws[k].push(statistics[keys[k]](buf));
  }
  const out = {} as Record<K, ConfidenceInterval>;
  keys.forEach((key, k) => (out[key] = interval(statistics[key](values), draws[k], o, values.length)));
  return out;
}

/**
 * Bootstrap CI of statistic(a) - statistic(b) for two independent samples
 * (each resampled with replacement within itself; expanded by the smaller sample's size).
 */
export function bootstrapDiffCi(
  a: readonly number[],
  b: readonly number[],
  statistic: Statistic = mean,
  opts: BootstrapOptions = {},
): ConfidenceInterval {
  if (a.length === 0 || b.length === 0) throw new Error(`bootstrapDiffCi needs non-empty samples, got ${a.length} and ${b.length} values`);
  const o = resolve(opts);
  const bufA = new Array<number>(a.length);
  const bufB = new Array<number>(b.length);
  const draws: number[] = [];
  for (let r = 0; r < o.resamples; r++) {
    draws.push(statistic(resampleInto(bufA, a, o.rng)) - statistic(resampleInto(bufB, b, o.rng)));
  }
  return interval(statistic(a) - statistic(b), draws, o, Math.min(a.length, b.length));
}

/** Aggregate over strata (e.g. tasks), each stratum holding one score per run/seed. */
export type StratifiedAggregate = (strata: readonly (readonly number[])[]) => number;

/** rliable's default aggregate: IQM of all scores pooled over strata. */
export const pooledIqm: StratifiedAggregate = (strata) => iqm(strata.flat());

/**
 * Stratified bootstrap CI as in rliable (`StratifiedBootstrap`, task_bootstrap=False):
 * each stratum's runs are resampled with replacement independently, so every resample keeps
 * the number of runs per task; the aggregate is computed over the resampled strata.
 * Strata may have different numbers of runs.
 */
export function stratifiedBootstrapCi(
  strata: readonly (readonly number[])[],
  aggregate: StratifiedAggregate = pooledIqm,
  opts: BootstrapOptions = {},
): ConfidenceInterval {
  if (strata.length === 0 || strata.some((s) => s.length === 0)) {
    throw new Error('stratifiedBootstrapCi needs at least one stratum and at least one value in every stratum');
  }
  const o = resolve(opts);
  const bufs = strata.map((s) => new Array<number>(s.length));
  const draws: number[] = [];
  for (let r = 0; r < o.resamples; r++) {
    for (let k = 0; k < strata.length; k++) resampleInto(bufs[k], strata[k], o.rng);
    draws.push(aggregate(bufs));
  }
  return interval(aggregate(strata), draws, o, Math.min(...strata.map((s) => s.length)));
}
