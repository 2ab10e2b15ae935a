/**
 * The layout of a run directory: written by training (src/pipeline, src/cli),
 * read by sweeps and comparisons (src/sweep, src/compare). One place for the
 * file names and record types so writer and readers cannot drift.
 *
 * <run>/
 *   config.json         resolved config (RunConfig: env, agent, symmetry, seed, totalSteps, every hyperparameter)
 *   meta.json           RunMeta: backend, matmul path, package versions, command line, start time
 *   status.json         RunStatus: running | finished | interrupted | failed, current step
 *   evaluations.jsonl   one EvaluationRecord per line (and evaluations.csv with the same columns, returns omitted)
 *   episodes.jsonl      one EpisodeRecord per line (and episodes.csv)
 *   log.jsonl           winston JSON-lines log
 *   checkpoints/        latest checkpoint (see agents/checkpoint)
 *   policy/             exported policy for inference (tfjs format)
 */
import type { GpuAdapterRecord } from './backend-webgpu.js';
import type { MatmulPath } from './kernels/own-matmul.js';

export const RUN_FILES = {
  config: 'config.json',
  meta: 'meta.json',
  status: 'status.json',
  evaluationsJsonl: 'evaluations.jsonl',
  evaluationsCsv: 'evaluations.csv',
  episodesJsonl: 'episodes.jsonl',
  episodesCsv: 'episodes.csv',
  log: 'log.jsonl',
  checkpoints: 'checkpoints',
  policy: 'policy',
} as const;

export interface EvaluationRecord {
  /** Environment steps taken when the evaluation ran. */
  step: number;
  meanReturn: number;
  stdReturn: number;
  /** Undiscounted return of each deterministic evaluation episode. */
  returns: number[];
  meanLength: number;
  /**
   * Relative equivariance error of the policy's pre-tanh mean on evaluation states
   * (SacAgent.policyEquivarianceErrors), null for agents without a symmetry.
   */
  equivError: number | null;
  /**
   * The same for the policy's standard deviation against |rho_act(g)| (the spread half of the
   * distribution; reported beside the mean's, not combined). null without a symmetry, and in
   * runs written before this field existed.
   */
  equivErrorStd?: number | null;
  alpha: number;
  criticLoss: number | null;
  actorLoss: number | null;
  /** Environment steps per second since the previous evaluation. */
  stepsPerSec: number;
  /** Seconds since the run started. */
  wallTime: number;
}

export interface EpisodeRecord {
  step: number;
  return: number;
  length: number;
}

export type RunState = 'running' | 'finished' | 'interrupted' | 'failed';

export interface RunStatus {
  state: RunState;
  step: number;
  totalSteps: number;
  updatedAt: string;
  error?: string;
}

export interface RunMeta {
  /**
   * adapter: for webgpu, the GPU adapter that ran (vendor, architecture, device, description, software).
   * matmul: which matmul the dense layers ran (src/kernels/own-matmul.ts): 'own' with its
   * multiply-add ('relaxed_madd', and whether it was fused, or 'mul+add'), 'xnnpack', or
   * 'backend'. Runs reproduce bitwise only on the same path, flavour and runtime.
   */
  backend: { name: string; reason: string; versions: Record<string, string>; adapter?: GpuAdapterRecord; matmul?: MatmulPath };
  command: string[];
  startedAt: string;
  hostname: string;
  /** The symmetry the networks used (absent for plain SAC): the config's choice and the env spec it resolved to. */
  symmetry?: { choice: string; spec: string; group: string; exact: boolean };
}
