/**
 * Live progress for long runs: a cli-progress bar on stderr when it is a TTY
 * (steps, steps/s, ETA, latest eval return), otherwise a winston info line every
 * `logEveryMs` (CI logs, sweeps' child processes).
 */
import cliProgress from 'cli-progress';
import winston from 'winston';
import { EtaEstimator, type EtaConfig } from './eta.js';
import type { Logger } from '../logging.js';

export interface ProgressInfo {
  step: number;
  lastEvalReturn: number | null;
  updates: number;
}

export interface ProgressOptions {
  totalSteps: number;
  startStep: number;
  logger: Logger;
  /** Force the bar on/off; default: on when stderr is a TTY. */
  bar?: boolean;
  logEveryMs?: number;
  /** With the run's schedule, the ETA is the update-phase rate plus the remaining evaluations (src/run/eta.ts). */
  eta?: EtaConfig;
  /** Where the bar is drawn (default process.stderr, where the console log goes too). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

function fmtEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

export class ProgressReporter {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly t0 = performance.now();
  private lastLogAt = performance.now();
  private lastInfo: ProgressInfo;

  constructor(private readonly opts: ProgressOptions) {
    this.lastInfo = { step: opts.startStep, lastEvalReturn: null, updates: 0 };
    this.estimator = opts.eta === undefined ? null : new EtaEstimator(opts.eta);
    const useBar = opts.bar ?? (process.stderr.isTTY === true);
    if (useBar) {
      const stream = opts.stream ?? process.stderr;
      const bar = new cliProgress.SingleBar(
        { format: 'train |{bar}| {value}/{total} steps | {sps} steps/s | ETA {etaText} | eval {evalReturn}', stream, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      this.bar = bar;
      bar.start(opts.totalSteps, opts.startStep, { sps: '-', etaText: '?', evalReturn: '-' });
      // A log line printed while the bar is drawn would be glued onto it: clear the bar's line
      // first, print the line, then draw the bar again below it.
      for (const t of opts.logger.transports) {
        if (!(t instanceof winston.transports.Console)) continue;
        const log = t.log!.bind(t);
        t.log = (info: unknown, next: () => void): void => {
          stream.write('\r\x1b[K');
          log(info, () => {
            bar.render();
            next();
          });
        };
        this.restore.push(() => {
          t.log = log;
        });
      }
    }
  }

  private readonly restore: (() => void)[] = [];

  /** Env steps per second since this process started training. */
  stepsPerSec(step = this.lastInfo.step): number {
    const dt = (performance.now() - this.t0) / 1000;
    return dt > 0 ? (step - this.opts.startStep) / dt : 0;
  }

  private readonly estimator: EtaEstimator | null;
  private evalSeconds = 0;

  /** An evaluation took `seconds` (left out of the training rate, counted for those still to come). */
  evaluated(seconds: number): void {
    this.evalSeconds += seconds;
    this.estimator?.evaluated(seconds);
  }

  update(info: ProgressInfo): void {
    this.lastInfo = info;
    const sps = this.stepsPerSec(info.step);
    let eta: number;
    if (this.estimator !== null) {
      this.estimator.observe(info.step, (performance.now() - this.t0) / 1000 - this.evalSeconds);
      eta = this.estimator.eta(info.step);
    } else eta = sps > 0 ? (this.opts.totalSteps - info.step) / sps : NaN;
    const evalReturn = info.lastEvalReturn === null ? '-' : info.lastEvalReturn.toFixed(1);
    if (this.bar !== undefined) {
      this.bar.update(info.step, { sps: sps.toFixed(0), etaText: fmtEta(eta), evalReturn });
      return;
    }
    const now = performance.now();
    if (now - this.lastLogAt >= (this.opts.logEveryMs ?? 30_000)) {
      this.lastLogAt = now;
      const pct = ((100 * info.step) / this.opts.totalSteps).toFixed(1);
      this.opts.logger.info(`step ${info.step}/${this.opts.totalSteps} (${pct}%), ${sps.toFixed(0)} steps/s, ETA ${fmtEta(eta)}, last eval return ${evalReturn}, updates ${info.updates}`);
    }
  }

  stop(): void {
    this.bar?.stop();
    for (const r of this.restore.splice(0)) r();
  }
}
