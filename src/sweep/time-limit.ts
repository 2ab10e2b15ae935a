/**
 * `sweep --time-limit`: a sweep on a machine whose processes end at a known time (a batch
 * job's wall-clock limit, a session, a spot instance's notice) starts a run only if it is
 * expected to finish before the limit, and at the limit interrupts the runs still going
 * (they checkpoint, as on Ctrl-C). A run that cannot finish is better left unstarted: where
 * the machine is not kept, its partial work is lost with the process. Where it is (only the
 * processes end, the disk stays), `--fill-to-limit` starts such runs anyway so that no core
 * idles before the limit; the next invocation resumes them from their checkpoints.
 *
 * How long a run takes: once a run of the same cost class (env, network shape, agent kind,
 * batch: estimate.ts's costClass) has finished in this invocation, its observed wall time
 * per step, which includes whatever load the machine is under; before that, the CPU-time
 * rates that `sweep --dry-run` measures, times the slowdown of more runs than cores, times
 * a margin for what CPU rates leave out (start-up, GC, other load).
 */
import { cpus } from 'node:os';
import { parseTrainArgs } from '../cli/train-options.js';
import type { RunConfig } from '../run/run-config.js';
import { costClass, measureRates, runSeconds, type MeasuredRates } from './estimate.js';
import type { PlannedRun } from './plan.js';

/** What run-sweep asks of a time estimate. */
export interface RunTimeEstimator {
  /** Wall seconds the run needs from fromStep to the sweep's budget. */
  estimateSec(plan: PlannedRun, fromStep: number): Promise<number>;
  /** A run of this invocation went from fromStep to toStep in wallSec (called for finished runs). */
  observe(plan: PlannedRun, fromStep: number, toStep: number, wallSec: number): void;
}

/**
 * Margin on CPU-time estimates. Measured here: a 50k-step HalfCheetah RPP-SAC run beside another
 * run on 2 cores took 22 min; `--dry-run` estimates made during it said 17 and 21 min (1.05-1.3x).
 */
export const MEASURED_MARGIN = 1.3;
/** Margin on observed rates (run-to-run spread of one cost class). */
export const OBSERVED_MARGIN = 1.1;

export interface SweepRunTimesOptions {
  steps: number;
  parallel: number;
  cores?: number;
  /** Measures one cost class (default: estimate.ts's measureRates on the run's backend). */
  measure?: (cfg: RunConfig, backend: string | undefined) => Promise<MeasuredRates>;
}

export class SweepRunTimes implements RunTimeEstimator {
  private readonly rates = new Map<string, Promise<MeasuredRates>>();
  /** Observed wall seconds per env step, per cost class. */
  private readonly observed = new Map<string, number[]>();
  private readonly slowdown: number;
  private readonly measure: (cfg: RunConfig, backend: string | undefined) => Promise<MeasuredRates>;

  constructor(private readonly opts: SweepRunTimesOptions) {
    this.slowdown = Math.max(1, opts.parallel / Math.max(1, opts.cores ?? cpus().length));
    this.measure = opts.measure ?? ((cfg, backend) => measureRates(cfg, backend));
  }

  private configOf(plan: PlannedRun): { cfg: RunConfig; backend: string | undefined } {
    const { config, flags } = parseTrainArgs(plan.trainArgs.slice(1));
    return { cfg: { ...config, totalSteps: this.opts.steps }, backend: flags.backend };
  }

  async estimateSec(plan: PlannedRun, fromStep: number): Promise<number> {
    const { cfg, backend } = this.configOf(plan);
    const key = costClass(cfg);
    const seen = this.observed.get(key);
    if (seen !== undefined && seen.length > 0) {
      const sorted = [...seen].sort((a, b) => a - b);
      const median = sorted[sorted.length >> 1]!;
      return Math.max(0, this.opts.steps - fromStep) * median * OBSERVED_MARGIN;
    }
    let rates = this.rates.get(key);
    if (rates === undefined) {
      rates = this.measure(cfg, backend);
      this.rates.set(key, rates);
    }
    return runSeconds(cfg, fromStep, await rates) * this.slowdown * MEASURED_MARGIN;
  }

  observe(plan: PlannedRun, fromStep: number, toStep: number, wallSec: number): void {
    if (toStep <= fromStep || !(wallSec > 0)) return;
    const key = costClass(this.configOf(plan).cfg);
    const list = this.observed.get(key) ?? [];
    list.push(wallSec / (toStep - fromStep));
    this.observed.set(key, list);
  }
}
