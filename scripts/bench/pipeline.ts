/**
 * Benchmark 'pipeline': what the RxJS training pipeline costs on top of the work it
 * schedules. In the same run, alternating, median of `REPS`:
 *   raw     a plain loop: random action, env.step, reset when done
 *   noop    the full pipeline (rollout source -> replay sink -> trainAtRatio ->
 *           episode/evaluation/progress fan-out) with no-op replay and learner
 *   replay  the same with the real ReplayBuffer storing every transition
 * for InvertedPendulum-v5 (the cheapest env: worst case for overhead) and
 * HalfCheetah-v5. Target: noop >= 90% of raw steps/s. Ratios are medians of the
 * per-repetition ratios (raw and pipeline run back to back), which cancels most of
 * the drift of a shared machine.
 * Then the real learner (HalfCheetah, 256x256, batch 256): the median SAC update
 * time against the pipeline's per-step overhead ((noop - raw) time per step).
 * Target: overhead < 5% of the update time.
 * Finally a direct check with the real learner in the loop (a small 64x64 SAC, the
 * harshest case for relative overhead): pipeline vs a hand-written loop doing the
 * same env steps, replay adds and updates, alternating, median time per step.
 */
import { lastValueFrom } from 'rxjs';
import { median, timeIt } from '../bench-util.js';
import { make } from '../../envs/registry.js';
import type { Env } from '../../envs/types.js';
import { Rng, episodeSeed } from '../../src/random.js';
import { ReplayBuffer } from '../../src/replay/replay-buffer.js';
import { SacAgent } from '../../agents/sac.js';
import { rollout } from '../../src/pipeline/rollout.js';
import { RolloutEnvs } from '../../src/pipeline/rollout-envs.js';
import { trainingEvents } from '../../src/pipeline/training-pipeline.js';
import type { PolicyFn, ReplaySink, SyncPolicyFn } from '../../src/pipeline/types.js';
import { explorationPolicy, learner, replaySink } from '../../src/run/agent-adapter.js';
import type { EvaluationRecord } from '../../src/run-files.js';

export const name = 'pipeline';

const REPS = 9;

function randomPolicy(actDim: number, seed: number): SyncPolicyFn {
  const rng = new Rng(seed);
  return (_obs, n) => {
    const a = new Float32Array(n * actDim);
    for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
    return a;
  };
}

function rawLoop(env: Env, steps: number, policy: SyncPolicyFn): void {
  const od = env.observationSpace.shape[0];
  const obs = new Float32Array(od);
  obs.set(env.reset({ seed: 0 }).observation);
  for (let t = 0; t < steps; t++) {
    const r = env.step(policy(obs, 1, t));
    if (r.terminated || r.truncated) obs.set(env.reset().observation);
    else obs.set(r.observation);
  }
}

const fakeEval = (b: { step: number }): EvaluationRecord => ({ step: b.step, meanReturn: 0, stdReturn: 0, returns: [], meanLength: 0, equivError: null, alpha: 0, criticLoss: null, actorLoss: null, stepsPerSec: 0, wallTime: 0 });

async function pipelineRun(env: Env, steps: number, policy: PolicyFn, replay: ReplaySink): Promise<void> {
  await lastValueFrom(
    trainingEvents({
      source: rollout({ envs: RolloutEnvs.start([env], (i, k) => episodeSeed(0, i, k)), policy, totalSteps: steps }),
      replay,
      learner: { update: () => null },
      schedule: { learningStarts: 0, gradientSteps: 1 },
      evalEvery: 1e9,
      evaluate: fakeEval,
      progressMs: 500,
    }),
    { defaultValue: undefined },
  );
}

async function envOverhead(id: string, steps: number): Promise<Record<string, number>> {
  const env = await make(id);
  const od = env.observationSpace.shape[0];
  const ad = env.actionSpace.shape[0];
  const buffer = new ReplayBuffer({ capacity: steps, obsDim: od, actDim: ad, seed: 1 });
  const noop: ReplaySink = { add: () => undefined };
  const raw: number[] = [];
  const pipe: number[] = [];
  const withReplay: number[] = [];
  rawLoop(env, 2000, randomPolicy(ad, 9)); // warm-up (JIT)
  await pipelineRun(env, 2000, randomPolicy(ad, 9), noop);
  for (let r = 0; r < REPS; r++) {
    let t0 = performance.now();
    rawLoop(env, steps, randomPolicy(ad, r));
    raw.push(performance.now() - t0);
    t0 = performance.now();
    await pipelineRun(env, steps, randomPolicy(ad, r), noop);
    pipe.push(performance.now() - t0);
    t0 = performance.now();
    await pipelineRun(env, steps, randomPolicy(ad, r), buffer);
    withReplay.push(performance.now() - t0);
  }
  env.close();
  const rawMs = median(raw);
  const pipeMs = median(pipe);
  const repMs = median(withReplay);
  return {
    steps,
    reps: REPS,
    rawStepsPerSec: Math.round((steps / rawMs) * 1000),
    pipelineNoopStepsPerSec: Math.round((steps / pipeMs) * 1000),
    pipelineReplayStepsPerSec: Math.round((steps / repMs) * 1000),
    noopOverRaw: median(raw.map((r, i) => r / pipe[i])),
    replayOverRaw: median(raw.map((r, i) => r / withReplay[i])),
    overheadUsPerStep: median(raw.map((r, i) => ((pipe[i] - r) / steps) * 1000)),
  };
}

/** ms per env step with a real (small) SAC learner: the pipeline vs a plain loop. */
async function realLearner(steps: number, reps: number): Promise<Record<string, number>> {
  const env = await make('HalfCheetah-v5');
  const od = env.observationSpace.shape[0];
  const ad = env.actionSpace.shape[0];
  const make1 = (): { agent: SacAgent; replay: ReplayBuffer } => ({
    agent: new SacAgent({ config: { hidden: [64, 64], batchSize: 64, learningStarts: 64, seed: 0 }, obsDim: od, actDim: ad, actionLow: env.actionSpace.low, actionHigh: env.actionSpace.high, symmetry: null }),
    replay: new ReplayBuffer({ capacity: 10 * steps, obsDim: od, actDim: ad, seed: 1 }),
  });
  const direct: number[] = [];
  const piped: number[] = [];
  for (let r = 0; r < reps; r++) {
    {
      const { agent, replay } = make1();
      const policy = explorationPolicy(agent, 64);
      const obs = new Float32Array(od);
      obs.set(env.reset({ seed: r }).observation);
      const t0 = performance.now();
      for (let t = 0; t < steps; t++) {
        const a = policy(obs, 1, t);
        const res = env.step(a);
        replay.add(obs, agent.toUnit(a), res.reward, res.observation, res.terminated);
        if (t + 1 > 64) agent.update(replay, { stats: (t + 1) % 100 === 0 });
        if (res.terminated || res.truncated) obs.set(env.reset().observation);
        else obs.set(res.observation);
      }
      direct.push((performance.now() - t0) / steps);
      agent.dispose();
    }
    {
      const { agent, replay } = make1();
      const t0 = performance.now();
      await lastValueFrom(
        trainingEvents({
          source: rollout({ envs: RolloutEnvs.start([env], (i, k) => episodeSeed(r, i, k)), policy: explorationPolicy(agent, 64), totalSteps: steps }),
          replay: replaySink(agent, replay),
          learner: learner(agent, replay),
          schedule: { learningStarts: 64, gradientSteps: 1 },
          evalEvery: 1e9,
          evaluate: fakeEval,
          progressMs: 500,
        }),
        { defaultValue: undefined },
      );
      piped.push((performance.now() - t0) / steps);
      agent.dispose();
    }
  }
  env.close();
  return {
    steps,
    reps,
    directMsPerStep: median(direct),
    pipelineMsPerStep: median(piped),
    pipelineOverDirect: median(piped.map((p, i) => p / direct[i])),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const pendulum = await envOverhead('InvertedPendulum-v5', 10_000);
  const cheetah = await envOverhead('HalfCheetah-v5', 4_000);

  // The real learner: SAC update time on HalfCheetah dims (17, 6), 256x256, batch 256.
  const agent = new SacAgent({ config: { hidden: [256, 256], batchSize: 256, seed: 0 }, obsDim: 17, actDim: 6, actionLow: new Float32Array(6).fill(-1), actionHigh: new Float32Array(6).fill(1), symmetry: null });
  const replay = new ReplayBuffer({ capacity: 5000, obsDim: 17, actDim: 6, seed: 2 });
  const rng = new Rng(3);
  const row = (k: number): Float32Array => Float32Array.from({ length: k }, () => rng.normal());
  for (let i = 0; i < 5000; i++) replay.add(row(17), row(6), rng.normal(), row(17), rng.random() < 0.01);
  const updateMs = median(await timeIt(() => agent.update(replay, { stats: false }), 30, 5));
  agent.dispose();
  // The larger of the two envs' overheads (the pipeline's cost does not depend on the env).
  const overheadMs = Math.max(0, pendulum.overheadUsPerStep, cheetah.overheadUsPerStep) / 1000;
  const small = await realLearner(400, 5);
  return {
    pendulum,
    cheetah,
    realLearnerSmallSac: small,
    sacUpdateMsMedian: updateMs,
    pipelineOverheadMsPerStep: overheadMs,
    // Pipeline cost per env step as a fraction of one SAC update (target < 0.05).
    overheadVsUpdate: overheadMs / updateMs,
    targets: { noopOverRawAtLeast: 0.9, overheadVsUpdateBelow: 0.05 },
  };
}
