/**
 * How long a sweep will take, before it starts (`sweep --dry-run`). The model is the one
 * the progress ETA uses (src/run/eta.ts): random-action steps, update-phase steps and the
 * evaluations still to come, each at its own rate. Here the rates cannot be observed, so
 * they are measured: for each distinct network/env shape in the sweep, a few env steps,
 * policy calls and SAC updates are timed (CPU time) in this process, on the backend the runs
 * will use.
 *
 * What the estimate leaves out, and says so: evaluation episodes are counted at the env's
 * full episode length (an upper bound: walkers that fall end early), and a run's start-up
 * (MuJoCo and network construction, a few seconds) is ignored. With more parallel runs than
 * cores, runs share cores and each takes proportionally longer.
 */
import { cpus } from 'node:os';
import { SacAgent } from '../../agents/sac.js';
import { resolveSymmetry } from '../../agents/symmetry-choice.js';
import { envSpec, make } from '../../envs/registry.js';
import { initBackend } from '../backend.js';
import { median } from '../stats/descriptive.js';
import { ReplayBuffer } from '../replay/replay-buffer.js';
import { remainingEvaluations } from '../run/eta.js';
import { sacPart, type RunConfig } from '../run/run-config.js';

/** Seconds per unit of work, measured for one cost class. */
export interface MeasuredRates {
  /** One env step with a random action (the random-action phase). */
  envStepSec: number;
  /** One stochastic policy call for a batch of numEnvs observations. */
  actSec: number;
  /** One deterministic policy call for one observation (evaluations). */
  evalActSec: number;
  /** One gradient update. */
  updateSec: number;
}

/**
 * The keys that change what a step or an update costs. Learning rates, penalties, seeds and
 * the like change the numbers computed, not how many are computed, so runs that differ only
 * in them share one measurement.
 */
const COST_KEYS = ['env', 'agent', 'symmetry', 'rppCritic', 'hidden', 'actorActivation', 'criticActivation', 'batchSize', 'gradientSteps', 'numEnvs', 'stdParam'] as const;

export function costClass(cfg: RunConfig): string {
  return JSON.stringify(COST_KEYS.map((k) => cfg[k]));
}

/** A short label for a cost class, e.g. "HalfCheetah-v5 sac-matched 256,256" (agent: the sweep's name for it). */
export function costLabel(cfg: RunConfig, agent: string = cfg.agent): string {
  return `${cfg.env} ${agent} ${cfg.hidden.join(',')}`;
}

/**
 * Seconds a run takes from `fromStep` to its budget: the random-action steps left, the
 * update-phase steps left (env step, a policy call per numEnvs steps, gradientSteps updates
 * each), and the evaluations left at full episode length.
 */
export function runSeconds(cfg: RunConfig, fromStep: number, rates: MeasuredRates): number {
  const randomSteps = Math.max(0, Math.min(cfg.learningStarts, cfg.totalSteps) - fromStep);
  const updateSteps = Math.max(0, cfg.totalSteps - Math.max(fromStep, cfg.learningStarts));
  const perUpdateStep = rates.envStepSec + rates.actSec / cfg.numEnvs + cfg.gradientSteps * rates.updateSec;
  const evalSec = cfg.evalEpisodes * envSpec(cfg.env).maxEpisodeSteps * (rates.envStepSec + rates.evalActSec);
  return randomSteps * rates.envStepSec + updateSteps * perUpdateStep + remainingEvaluations(cfg, fromStep) * evalSec;
}

/**
 * Wall seconds for runs started in the given order on `parallel` slots, each taking the next
 * run when its current one ends (what the sweep does). Runs sharing cores are slowed by
 * parallel / cores when there are more slots than cores.
 */
export function sweepSeconds(runSecs: readonly number[], parallel: number, cores = cpus().length): number {
  const slowdown = Math.max(1, parallel / Math.max(1, cores));
  const slots = new Array<number>(Math.max(1, parallel)).fill(0);
  for (const s of runSecs) {
    let i = 0;
    for (let j = 1; j < slots.length; j++) if (slots[j]! < slots[i]!) i = j;
    slots[i]! += s * slowdown;
  }
  return Math.max(...slots);
}

/**
 * CPU seconds per call of fn: the median of `reps` timings of `inner` calls each. CPU time,
 * not wall time: a sweep is planned while other work may share the cores, and each run will
 * have a core of its own (tfjs-wasm and MuJoCo run on one thread here).
 */
function timePerCall(fn: () => void, reps: number, inner: number): number {
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < inner; i++) fn();
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1e6 / inner);
  }
  return median(times);
}

/** Times env steps, policy calls and updates for one run config (a few hundred ms to a few s). */
export async function measureRates(cfg: RunConfig, backend?: string): Promise<MeasuredRates> {
  await initBackend(backend === undefined ? {} : { backend });
  const env = await make(cfg.env);
  const agent = new SacAgent({
    config: { ...sacPart(cfg), learningStarts: 0 },
    obsDim: env.observationSpace.shape[0]!,
    actDim: env.actionSpace.shape[0]!,
    actionLow: env.actionSpace.low,
    actionHigh: env.actionSpace.high,
    symmetry: resolveSymmetry(cfg.env, cfg),
  });
  try {
    const obsDim = env.observationSpace.shape[0]!;
    const replay = new ReplayBuffer({ capacity: 4096, obsDim, actDim: env.actionSpace.shape[0]!, seed: 1 });
    let obs = env.reset({ seed: cfg.seed }).observation;
    const step = (): void => {
      const action = agent.randomAction(1);
      const r = env.step(action);
      replay.add(obs, agent.toUnit(action), r.reward, r.observation, r.terminated);
      obs = r.terminated || r.truncated ? env.reset().observation : r.observation;
    };
    // Warm-up long enough for V8 to tier MuJoCo's wasm and the JS up: timed right after 300 steps,
    // a fresh process read 0.65 ms per HalfCheetah step, against 0.06-0.1 ms measured again later.
    for (let i = 0; i < Math.max(cfg.batchSize, 1500); i++) step();
    const envStepSec = timePerCall(step, 5, 100);
    const batchObs = new Float32Array(cfg.numEnvs * obsDim);
    for (let k = 0; k < cfg.numEnvs; k++) batchObs.set(obs, k * obsDim);
    for (let i = 0; i < 20; i++) agent.act(batchObs, cfg.numEnvs, 'stochastic'); // warm-up, as for the env
    const actSec = timePerCall(() => agent.act(batchObs, cfg.numEnvs, 'stochastic'), 5, 10);
    const evalActSec = timePerCall(() => agent.act(obs, 1, 'deterministic'), 5, 10);
    // Warm-up: kernels compiled and tiered up, operands cached (after 3 updates a fresh process read 35 ms, ~27 later).
    for (let i = 0; i < 25; i++) agent.update(replay, { stats: false });
    const updateSec = timePerCall(() => agent.update(replay, { stats: false }), 7, 1);
    return { envStepSec, actSec, evalActSec, updateSec };
  } finally {
    agent.dispose();
    env.close();
  }
}

/** e.g. "update 21.9 ms, env step 0.05 ms, policy call 0.41 ms" */
export function formatRates(r: MeasuredRates): string {
  const ms = (s: number): string => `${(s * 1000).toPrecision(3)} ms`;
  return `update ${ms(r.updateSec)}, env step ${ms(r.envStepSec)}, policy call ${ms(r.actSec)}`;
}

/** "42 s", "17 min", "3.4 h" */
export function formatDuration(sec: number): string {
  if (sec < 90) return `${Math.round(sec)} s`;
  if (sec < 90 * 60) return `${Math.round(sec / 60)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}
