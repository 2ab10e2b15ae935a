/**
 * Public entry `rpp-sac/agents`: the SAC / RPP-SAC / EMLP-SAC agent, its config
 * schema, checkpoints and policy export. Training runs go through `rpp-sac train`
 * (src/run/train-run.ts: the RxJS pipeline of src/pipeline); the agent on its own:
 *
 *   const cfg = parseSacConfig(userConfig);
 *   const agent = new SacAgent({ config: cfg, obsDim, actDim, actionLow: env.actionSpace.low,
 *                               actionHigh: env.actionSpace.high, symmetry: resolveSymmetry(envId, cfg) });
 *   const replay = new ReplayBuffer({ capacity: cfg.bufferSize, obsDim, actDim, seed: cfg.seed + 1 });
 *   // step = env steps taken before this one (0-based), as the pipeline's rules:
 *   const unit = step < cfg.learningStarts ? agent.randomUnitAction(1) : agent.actUnit(obs, 1, 'stochastic');
 *   const r = env.step(agent.toEnvUnits(unit));
 *   replay.add(obs, unit, r.reward, r.observation, r.terminated);   // never truncated
 *   if (step + 1 > cfg.learningStarts) for (let g = 0; g < cfg.gradientSteps; g++) agent.update(replay, { stats: false });
 */
export { SacConfigSchema, parseSacConfig, resolveTargetEntropy, PAPER_OVERRIDES, AGENT_KINDS, type SacConfig, type SacConfigInput, type AgentKind } from './sac-config.js';
export { SacAgent, type SacAgentOptions, type SacAgentState, type UpdateStats, type ActMode } from './sac.js';
export { makeActor, makeCritic, symmetryReps, type ActorNet, type CriticNet, type NetworkSpec, type SymmetryReps } from './networks.js';
export { resolveSymmetry, specName } from './symmetry-choice.js';
export { Adam, clipByGlobalNorm, type AdamOptions, type AdamState } from './adam.js';
export { criticTarget, criticLoss, actorLoss, alphaLoss, alphaLossGrad, polyakUpdate } from './losses.js';
export { stdFromHead, squashedSample, squashedLogProb, logOneMinusTanhSq, drawNoise, type StdOptions, type StdParam, type HostNoise } from './squashed-gaussian.js';
export { saveCheckpoint, loadCheckpoint, readManifest, checkpointMismatches, configHash, architectureOf, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointManifest, type LoopState, type SaveCheckpointOptions, type LoadCheckpointOptions } from './checkpoint.js';
export { exportPolicy } from './policy-export.js';
export { loadPolicy, policyFromParts, type LoadedPolicy } from './policy-loader.js';
export { POLICY_FORMAT, POLICY_VERSION, type PolicyManifest } from './policy-format.js';
export { ReplayBuffer, REPLAY_FIELDS, type ReplayBatch, type ReplayState, type ReplayField } from '../src/replay/replay-buffer.js';
