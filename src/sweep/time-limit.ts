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
 * per step, which includes whatever load the machine is under. Before that, the CPU-time
 * rates that `sweep --dry-run` measures, times the slowdown of more runs than cores, times
 * a factor for what CPU rates leave out: once any run has finished in this invocation, the
 * median ratio of finished runs' wall time to their own class's measured estimate; before
 * that, a fixed margin.
 *
 * Why the ratio: the rates are measured in the sweep's own process, often while its runs hold
 * every core, and a few hundred milliseconds of timing then reads 1.5-2x slow (measured here:
 * "needs ~73 min" for a HalfCheetah SAC run that took 33, beside another run on 2 cores). The
 * error is shared by every class measured under the same load, so the runs that finished
 * correct the classes that have not.
 */
import { cpus } from 'node:os';
import { parseTrainArgs } from '../cli/train-options.js';
import type { RunConfig } from '../run/run-config.js';
import { median } from '../stats/descriptive.js';
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
  /** Per finished run: its wall time over its class's measured estimate for the same steps. */
  private readonly calibration: Promise<number | undefined>[] = [];
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
      return Math.max(0, this.opts.steps - fromStep) * median(seen) * OBSERVED_MARGIN;
    }
    const measured = runSeconds(cfg, fromStep, await this.ratesOf(key, cfg, backend)) * this.slowdown;
    const ratios = (await Promise.all(this.calibration)).filter((r): r is number => r !== undefined);
    return ratios.length > 0 ? measured * median(ratios) * OBSERVED_MARGIN : measured * MEASURED_MARGIN;
  }

  /** Measured rates of a cost class: measured once, on first use. */
  private ratesOf(key: string, cfg: RunConfig, backend: string | undefined): Promise<MeasuredRates> {
    let rates = this.rates.get(key);
    if (rates === undefined) {
      rates = this.measure(cfg, backend);
      this.rates.set(key, rates);
    }
    return rates;
  }

  observe(plan: PlannedRun, fromStep: number, toStep: number, wallSec: number): void {
    if (toStep <= fromStep || !(wallSec > 0)) return;
    const { cfg, backend } = this.configOf(plan);
    const key = costClass(cfg);
    const list = this.observed.get(key) ?? [];
    list.push(wallSec / (toStep - fromStep));
    this.observed.set(key, list);
    // What the measured rates said these same steps would take (without any margin).
    const ratio = this.ratesOf(key, cfg, backend).then(
      (rates) => {
        const measured = (runSeconds(cfg, fromStep, rates) - runSeconds(cfg, toStep, rates)) * this.slowdown;
        return measured > 0 ? wallSec / measured : undefined;
      },
      () => undefined, // a failed measurement leaves that run out of the calibration
    );
    this.calibration.push(ratio);
  }
}
