/**
 * One training run end to end: run directory, logs, envs, agent, replay buffer,
 * the RxJS pipeline, progress, checkpoints, and clean cancellation. Used by
 * `rpp-sac train` and `rpp-sac resume`.
 *
 * Cancellation (SIGINT/SIGTERM, an AbortSignal, or `stopAtStep`): the pipeline is
 * unsubscribed between two env steps, any checkpoint in flight finishes, then a final
 * checkpoint and the exported policy are written and status.json says 'interrupted'.
 *
 * Resume is exact: a run stopped at any step and resumed from that checkpoint writes
 * the same episodes, evaluations (but for wall time and steps/s) and final checkpoint
 * as the uninterrupted run (test/checkpoint-resume.test.ts). The checkpoint holds the
 * agent, optimisers, RNGs and replay buffer, the update count and latest update stats,
 * and each training env's place in its episode, which the resume replays
 * (src/pipeline/rollout-envs.ts). Not exact: a checkpoint without its replay buffer
 * (checkpointReplay false), another backend, or one written before env places were saved
 * (its envs start fresh episodes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tap, type Subscription } from 'rxjs';
import { matmulPath, type MatmulPath } from '../kernels/own-matmul.js';
import { initBackend, releaseBackend } from '../backend.js';
import { addJsonFile, createLogger, type Logger } from '../logging.js';
import type { EvaluationRecord, RunMeta } from '../run-files.js';
import { ReplayBuffer } from '../replay/replay-buffer.js';
import { SacAgent } from '../../agents/sac.js';
import { loadCheckpoint, readManifest, saveCheckpoint, type LoopState } from '../../agents/checkpoint.js';
import { exportPolicy } from '../../agents/policy-export.js';
import { resolveSymmetry } from '../../agents/symmetry-choice.js';
import { make, envIds } from '../../envs/registry.js';
import type { Env } from '../../envs/types.js';
import { episodeSeed } from '../random.js';
import { PendingWork } from '../pipeline/pending-work.js';
import { rollout } from '../pipeline/rollout.js';
import { RolloutEnvs } from '../pipeline/rollout-envs.js';
import { trainingEvents } from '../pipeline/training-pipeline.js';
import { evaluatePolicy, evaluatePolicyAsync, meanStd, type EvalResult } from '../pipeline/evaluate-policy.js';
import type { TrainedBatch, UpdateStats } from '../pipeline/types.js';
import { explorationPolicy, explorationPolicyAsync, learner, replaySink } from './agent-adapter.js';
import { closeLogger } from './close-logger.js';
import { ProgressReporter } from './progress.js';
import { RunDir, readJson } from './run-dir.js';
import { noUpdatesWarning, sacPart, type RunConfig } from './run-config.js';
import { UserError, asUserError, isUserError } from './user-error.js';

export interface TrainRunOptions {
  runDir: string;
  config: Readonly<RunConfig>;
  mode: 'new' | 'resume';
  backend?: string;
  /** The command line, for meta.json. */
  command: string[];
  logLevel?: string;
  /** Progress bar on/off (default: when stderr is a TTY); without it, an info line every progressLogMs. */
  progressBar?: boolean;
  progressLogMs?: number;
  /** Install SIGINT/SIGTERM handlers that stop the run cleanly (the CLI does). */
  handleSignals?: boolean;
  /** Stop the run cleanly when aborted (tests, embedding). */
  signal?: AbortSignal;
  /**
   * Stop cleanly (final checkpoint, status 'interrupted') once this many env steps are
   * done, as if interrupted there: e.g. to train a long run in slices, each continued by
   * a resume (`--stop-at`). At or beyond totalSteps it has no effect.
   */
  stopAtStep?: number;
  /**
   * Called with each evaluation record after it is written (embedding: live plots, early
   * stopping through `signal`). If it throws, the run fails with that error.
   */
  onEvaluation?: (record: EvaluationRecord) => void;
}

export interface TrainRunResult {
  state: 'finished' | 'interrupted';
  step: number;
  runDir: string;
  lastEvaluation: EvaluationRecord | null;
  /** What interrupted the run, if anything. */
  stoppedBy?: 'SIGINT' | 'SIGTERM' | 'abort' | 'stopAtStep';
}

/** Obs rows kept from evaluation episodes to measure the policy's equivariance error. */
const EQUIV_SAMPLE_ROWS = 256;

export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const cfg = opts.config;
  if (!envIds().includes(cfg.env)) {
    throw new UserError(`Unknown env '${cfg.env}'. Valid ids: ${envIds().join(', ')}. Fix --env (or "env" in the config file).`);
  }
  const checkStopAt = (from: number): void => {
    if (opts.stopAtStep !== undefined && !(Number.isInteger(opts.stopAtStep) && opts.stopAtStep > from)) {
      throw new UserError(`stopAtStep (--stop-at) must be an integer above the run's current step ${from}, got ${opts.stopAtStep}.`);
    }
  };
  // Everything that can be checked is checked before anything is written: a refused
  // start leaves no run directory behind, a refused resume changes nothing on disk.
  if (opts.mode === 'new') checkStopAt(0);
  const symmetry = asUserError(() => resolveSymmetry(cfg.env, cfg));
  if (opts.mode === 'new') RunDir.checkNew(opts.runDir);
  const opened = opts.mode === 'new' ? null : RunDir.open(opts.runDir);
  if (opened !== null && !existsSync(join(opened.checkpointDir, 'manifest.json'))) {
    throw new UserError(
      `${opts.runDir} has no checkpoint to resume from (${opened.checkpointDir} is missing). Start it again with \`npx rpp-sac train --config ${join(opts.runDir, 'config.json')} --out ${RunDir.failedBeforeStart(opts.runDir) ? opts.runDir : '<new dir>'}\`.`,
    );
  }
  if (opened !== null && opts.stopAtStep !== undefined) checkStopAt((await asUserErrorAsync(() => readManifest(opened.checkpointDir), opts.runDir)).loop?.step ?? 0);
  const logger = createLogger(opts.logLevel === undefined ? {} : { level: opts.logLevel });
  const envs: Env[] = [];
  let agent: SacAgent | undefined;
  let progress: ProgressReporter | undefined;
  let step = 0;
  /** Set once the run's files are being written: from then on a failure is recorded in status.json. */
  let run: RunDir | null = null;
  let removeHandlers = (): void => undefined;
  try {
    const backend = await asUserErrorAsync(() => initBackend({ ...(opts.backend === undefined ? {} : { backend: opts.backend }), logger }));
    for (let i = 0; i < cfg.numEnvs; i++) envs.push(await make(cfg.env));
    const evalEnv = await make(cfg.env);
    envs.push(evalEnv);
    const trainEnvs = envs.slice(0, cfg.numEnvs);
    const obsDim = evalEnv.observationSpace.shape[0];
    const actDim = evalEnv.actionSpace.shape[0];
    agent = new SacAgent({ config: sacPart(cfg), obsDim, actDim, actionLow: evalEnv.actionSpace.low, actionHigh: evalEnv.actionSpace.high, symmetry, logger });
    const replay = new ReplayBuffer({ capacity: cfg.bufferSize, obsDim, actDim, seed: cfg.seed + 1 });

    let resumed: Awaited<ReturnType<typeof loadCheckpoint>> | null = null;
    if (opened !== null) {
      const a = agent;
      resumed = await asUserErrorAsync(() => loadCheckpoint(opened.checkpointDir, { envId: cfg.env, agent: a, replay }), opts.runDir);
      step = resumed.loop?.step ?? 0;
    }

    // From here on the run's files are written.
    const meta: RunMeta & { resumes?: { command: string[]; startedAt: string; backend: string; matmul?: MatmulPath }[] } =
      opts.mode === 'new'
        ? {
            backend: { name: backend.name, reason: backend.reason, versions: backend.versions, matmul: matmulPath(), ...(backend.adapter === undefined ? {} : { adapter: backend.adapter }) },
            command: opts.command,
            startedAt: new Date().toISOString(),
            hostname: hostname(),
            ...(symmetry === null ? {} : { symmetry: { choice: cfg.symmetry, spec: symmetry.name, group: symmetry.group, exact: symmetry.exact } }),
          }
        : readJson(opened!.path('meta'));
    run = opened ?? RunDir.create(opts.runDir);
    addJsonFile(logger, run.path('log'));
    if (symmetry !== null && opts.mode === 'new') {
      logger.info(`symmetry: '${symmetry.name}' (${symmetry.group}, ${symmetry.exact ? 'exact' : 'approximate/misspecified'}) from --symmetry ${cfg.symmetry}`);
    }
    if (opts.mode === 'new') {
      run.writeJson('config', cfg);
      run.writeStatus('running', 0, cfg.totalSteps);
    } else (meta.resumes ??= []).push({ command: opts.command, startedAt: new Date().toISOString(), backend: backend.name, matmul: matmulPath() });
    run.writeJson('meta', meta);
    const runFiles = run;

    // Every training episode starts with its own seeded reset (see rollout-envs.ts).
    const seedOf = (env: number, episode: number): number => episodeSeed(cfg.seed, env, episode);
    let startStep = 0;
    let latestStats: UpdateStats | null = null;
    let wallOffset = 0;
    let lastEvaluation: EvaluationRecord | null = null;
    let rolloutEnvs: RolloutEnvs;
    if (resumed !== null) {
      const { manifest, loop } = resumed;
      startStep = loop?.step ?? 0;
      latestStats = loop?.latestUpdate ?? null;
      if (manifest.replay === null) logger.warn('the checkpoint has no replay buffer (checkpointReplay false): learning continues from an empty buffer (its first minibatches repeat the few transitions collected since)');
      if (loop?.rollout !== undefined) {
        const resumed = RolloutEnvs.resume(trainEnvs, seedOf, loop.rollout);
        rolloutEnvs = resumed.envs;
        if (resumed.mismatched.length > 0) {
          logger.warn(`replaying the episode in progress of env(s) ${resumed.mismatched.join(', ')} did not reproduce the checkpoint (another MuJoCo build?): training continues from the replayed state, not exactly as uninterrupted`);
        }
      } else {
        logger.warn('the checkpoint does not hold the envs\' places in their episodes (written by an older rpp-sac): training envs start fresh episodes');
        rolloutEnvs = RolloutEnvs.start(trainEnvs, seedOf, { firstEpisode: startStep, finished: loop?.episode ?? 0 });
      }
      const kept = runFiles.truncateAfter(startStep);
      wallOffset = lastWallTime(runFiles) ?? 0;
      logger.info(`resuming ${opts.runDir} at step ${startStep} (${kept.episodes} episodes, ${kept.evaluations} evaluations kept)`);
    } else {
      rolloutEnvs = RolloutEnvs.start(trainEnvs, seedOf);
      logger.info(`training ${cfg.agent} on ${cfg.env} (seed ${cfg.seed}) for ${cfg.totalSteps} steps -> ${opts.runDir}`);
      const noUpdates = noUpdatesWarning(cfg);
      if (noUpdates !== null) logger.warn(noUpdates);
    }
    const untilStep = Math.min(cfg.totalSteps, opts.stopAtStep ?? Infinity);
    step = startStep;
    runFiles.writeStatus('running', step, cfg.totalSteps);
    const startedAt = performance.now();

    const a = agent;
    // webgpu in Node cannot read the device synchronously: actions, stats, evaluations and
    // checkpoints then read with `await data()` (the pipeline waits for them).
    const asyncReads = !backend.syncReads;
    const learn = learner(a, replay, latestStats, { asyncStats: asyncReads });
    const envsNow = rolloutEnvs;
    // Read synchronously when a save starts: the rollout does not step again until it is written.
    const loopState = (atStep: number): LoopState => ({ step: atStep, episode: envsNow.finishedEpisodes, latestUpdate: learn.latestStats, rollout: envsNow.save() });
    let lastSavedStep = -1;
    const save = async (atStep: number): Promise<void> => {
      lastSavedStep = atStep;
      if (asyncReads) await a.prefetchState();
      await saveCheckpoint(runFiles.checkpointDir, { envId: cfg.env, agent: a, replay: cfg.checkpointReplay ? replay : null, loop: loopState(atStep) });
      await exportPolicy(a, runFiles.policyDir, { envId: cfg.env });
      runFiles.writeStatus('running', atStep, cfg.totalSteps);
      logger.info(`checkpoint at step ${atStep}`);
    };

    let prevEval = { step: startStep, t: performance.now() };
    const evaluate = (b: TrainedBatch): EvaluationRecord | Promise<EvaluationRecord> => {
      const seen = new Float32Array(EQUIV_SAMPLE_ROWS * obsDim);
      let rows = 0;
      const remember = (obs: Float32Array): void => {
        if (rows < EQUIV_SAMPLE_ROWS) seen.set(obs, rows++ * obsDim);
      };
      const t0 = performance.now();
      const record = (res: EvalResult, equiv: { mean: number; std: number } | null, alpha: number): EvaluationRecord => {
        const { mean, std } = meanStd(res.returns);
        const rec: EvaluationRecord = {
          step: b.step,
          meanReturn: mean,
          stdReturn: std,
          returns: res.returns,
          meanLength: meanStd(res.lengths).mean,
          equivError: equiv?.mean ?? null,
          equivErrorStd: equiv?.std ?? null,
          alpha,
          criticLoss: b.latestUpdate?.criticLoss ?? null,
          actorLoss: b.latestUpdate?.actorLoss ?? null,
          // Training speed: env steps since the previous evaluation over the time outside evaluations.
          stepsPerSec: (b.step - prevEval.step) / Math.max(1e-9, (t0 - prevEval.t) / 1000),
          wallTime: wallOffset + (performance.now() - startedAt) / 1000,
        };
        prevEval = { step: b.step, t: performance.now() };
        progress?.evaluated((prevEval.t - t0) / 1000);
        return rec;
      };
      if (asyncReads) {
        return (async () => {
          const res = await evaluatePolicyAsync(evalEnv, (obs) => (remember(obs), a.actAsync(obs, 1, 'deterministic')), cfg.evalEpisodes, cfg.seed + 1000);
          const equiv = await a.policyEquivarianceErrorsAsync(seen.subarray(0, rows * obsDim), rows);
          const alpha = b.latestUpdate?.alpha ?? Math.exp((await a.logAlpha.data())[0]);
          return record(res, equiv, alpha);
        })();
      }
      const res = evaluatePolicy(evalEnv, (obs) => (remember(obs), a.act(obs, 1, 'deterministic')), cfg.evalEpisodes, cfg.seed + 1000);
      const equiv = a.policyEquivarianceErrors(seen.subarray(0, rows * obsDim), rows);
      return record(res, equiv, b.latestUpdate?.alpha ?? a.alpha);
    };

    const work = new PendingWork();
    const source = rollout({ envs: rolloutEnvs, policy: asyncReads ? explorationPolicyAsync(a, cfg.learningStarts) : explorationPolicy(a, cfg.learningStarts), totalSteps: untilStep, startStep, pause: work }).pipe(tap((b) => (step = b.step)));
    const events$ = trainingEvents({
      source,
      replay: replaySink(a, replay),
      learner: learn,
      schedule: { learningStarts: cfg.learningStarts, gradientSteps: cfg.gradientSteps },
      resumeFrom: { totalUpdates: a.updates, latestUpdate: latestStats },
      evalEvery: cfg.evalEvery,
      evaluate,
      finalStep: cfg.totalSteps,
      checkpoint: { every: cfg.checkpointEvery, save: (b) => save(b.step), work },
      progressMs: 500,
    });

    progress = new ProgressReporter({ totalSteps: cfg.totalSteps, startStep, logger, eta: { totalSteps: cfg.totalSteps, learningStarts: cfg.learningStarts, evalEvery: cfg.evalEvery }, ...(opts.progressBar === undefined ? {} : { bar: opts.progressBar }), logEveryMs: opts.progressLogMs ?? 30_000 });
    const reporter = progress;
    let lastStatusAt = performance.now();
    let sub: Subscription | undefined;
    let stoppedBy: TrainRunResult['stoppedBy'];
    let stop: (why: 'SIGINT' | 'SIGTERM' | 'abort') => void = () => undefined;
    const onSigint = (): void => stop('SIGINT');
    const onSigterm = (): void => stop('SIGTERM');
    const onAbort = (): void => stop('abort');
    // Handlers stay installed until the final checkpoint is written: a second signal forces exit.
    removeHandlers = (): void => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const outcome = await new Promise<'finished' | 'interrupted'>((resolve, reject) => {
      stop = (why) => {
        if (stoppedBy !== undefined) {
          if (why !== 'abort') {
            logger.warn(`second ${why}: exiting without a final checkpoint`);
            process.exit(why === 'SIGINT' ? 130 : 143);
          }
          return;
        }
        stoppedBy = why;
        logger.warn(`${why}: stopping at step ${step}; writing a final checkpoint${why === 'abort' ? '' : ` (send ${why} again to exit at once)`}`);
        sub?.unsubscribe();
        resolve('interrupted');
      };
      if (opts.handleSignals) {
        process.on('SIGINT', onSigint);
        process.on('SIGTERM', onSigterm);
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      sub = events$.subscribe({
        next: (e) => {
          if (e.kind === 'episode') {
            runFiles.appendEpisode(e.record);
          } else if (e.kind === 'evaluation') {
            lastEvaluation = e.record;
            runFiles.appendEvaluation(e.record);
            const r = e.record;
            try {
              opts.onEvaluation?.(r);
            } catch (err) {
              sub?.unsubscribe();
              reject(err);
              return;
            }
            logger.info(`eval step ${r.step}: return ${r.meanReturn.toFixed(1)} ± ${r.stdReturn.toFixed(1)} (length ${r.meanLength.toFixed(0)}), alpha ${r.alpha.toFixed(3)}, ${r.stepsPerSec.toFixed(0)} steps/s${r.equivError === null ? '' : `, equiv error mean ${r.equivError.toExponential(2)} std ${(r.equivErrorStd ?? NaN).toExponential(2)}`}`);
          } else {
            reporter.update({ step: e.step, lastEvalReturn: lastEvaluation?.meanReturn ?? null, updates: e.totalUpdates });
            if (performance.now() - lastStatusAt > 5000) {
              lastStatusAt = performance.now();
              runFiles.writeStatus('running', e.step, cfg.totalSteps);
            }
          }
        },
        error: (err: unknown) => reject(err),
        complete: () => {
          if (step >= cfg.totalSteps) return resolve('finished');
          stoppedBy = 'stopAtStep';
          logger.info(`stopping at step ${step} (stopAtStep); writing a final checkpoint`);
          resolve('interrupted');
        },
      });
    });

    await work.settled();
    if (lastSavedStep !== step) await save(step);
    progress.stop();
    runFiles.writeStatus(outcome, step, cfg.totalSteps);
    logger.info(outcome === 'finished' ? `finished ${step} steps; final policy in ${runFiles.policyDir}` : `interrupted at step ${step}; continue with \`npx rpp-sac resume ${opts.runDir}\``);
    return { state: outcome, step, runDir: opts.runDir, lastEvaluation, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
  } catch (err) {
    progress?.stop();
    const msg = (err as Error).message ?? String(err);
    // Before its files are written a refused start or resume leaves the disk as it was; the caller reports the error.
    if (run !== null) {
      run.writeStatus('failed', step, cfg.totalSteps, msg);
      logger.error(`run failed at step ${step}: ${msg}`, isUserError(err) ? {} : { stack: (err as Error).stack });
    }
    throw err;
  } finally {
    removeHandlers();
    agent?.dispose();
    // The webgpu device keeps the process alive until released (nothing to do on other backends).
    releaseBackend();
    for (const e of envs) e.close();
    await closeLogger(logger);
  }
}

/** Errors of the user's input (a backend, a checkpoint that cannot be read) as UserErrors: exit 2, no stack. */
async function asUserErrorAsync<T>(f: () => Promise<T>, checkpointOf?: string): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (isUserError(err)) throw err;
    const msg = (err as Error).message;
    throw new UserError(
      checkpointOf === undefined
        ? msg
        : `cannot resume ${checkpointOf}: its checkpoint does not load with its config.json (${msg}). Nothing was changed; restore the checkpoint or config.json, or start a new run.`,
    );
  }
}

function lastWallTime(run: RunDir): number | null {
  const p = run.path('evaluationsJsonl');
  if (!existsSync(p)) return null;
  const lines = readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const r = JSON.parse(lines[i]) as { wallTime?: unknown };
      if (typeof r.wallTime === 'number') return r.wallTime;
    } catch {
      // skip
    }
  }
  return null;
}
