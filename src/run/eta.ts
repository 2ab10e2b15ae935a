/**
 * Time left in a run: the remaining random-action steps at their rate, the remaining
 * update-phase steps at the recent update-phase rate (a since-start average is inflated
 * by the fast random-action phase), plus the remaining evaluations at their measured
 * duration. Rates exclude time spent in evaluations.
 */
export interface EtaConfig {
  totalSteps: number;
  learningStarts: number;
  evalEvery: number;
}

/** Evaluations still to come after `step`: every evalEvery steps and one at the end (src/pipeline/evaluate-every.ts). */
export function remainingEvaluations(cfg: Pick<EtaConfig, 'totalSteps' | 'evalEvery'>, step: number): number {
  const { totalSteps, evalEvery } = cfg;
  const periodic = Math.floor(totalSteps / evalEvery) - Math.floor(step / evalEvery);
  return Math.max(0, periodic + (totalSteps % evalEvery === 0 || step >= totalSteps ? 0 : 1));
}

interface Sample {
  step: number;
  /** Seconds of training, evaluations left out. */
  t: number;
}

export class EtaEstimator {
  private readonly samples: Sample[] = [];
  private evalSeconds = 0;
  private evals = 0;

  constructor(
    private readonly cfg: EtaConfig,
    /** Seconds of recent update-phase training the rate is measured over. */
    private readonly windowSec = 30,
  ) {}

  /** The run is at `step` after `trainingSec` seconds of training (evaluations excluded). */
  observe(step: number, trainingSec: number): void {
    const last = this.samples.at(-1);
    // The random-action phase ends: measure the update phase on its own.
    if (last !== undefined && last.step < this.cfg.learningStarts && step >= this.cfg.learningStarts) this.samples.length = 0;
    this.samples.push({ step, t: trainingSec });
    while (this.samples.length > 2 && trainingSec - this.samples[1]!.t > this.windowSec) this.samples.shift();
  }

  /** An evaluation took `seconds`. */
  evaluated(seconds: number): void {
    this.evalSeconds += seconds;
    this.evals++;
  }

  /** Evaluations still to come after `step`: every evalEvery steps and one at the end. */
  remainingEvaluations(step: number): number {
    return remainingEvaluations(this.cfg, step);
  }

  /** Seconds left, or NaN while a needed rate is unknown (before the update phase has run a while). */
  eta(step: number): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.t <= first.t) return NaN;
    const rate = (last.step - first.step) / (last.t - first.t);
    const evalTime = this.evals > 0 ? (this.evalSeconds / this.evals) * this.remainingEvaluations(step) : 0;
    // Still taking random actions: the update phase's rate is not known yet.
    return step >= this.cfg.learningStarts ? (this.cfg.totalSteps - step) / rate + evalTime : NaN;
  }
}
