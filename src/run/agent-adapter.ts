/**
 * Binds the SAC agent and replay buffer to the pipeline's small contracts
 * (PolicyFn, ReplaySink, Learner). The only place the pipeline meets agents/.
 */
import type { SacAgent } from '../../agents/sac.js';
import type { ReplayBuffer } from '../replay/replay-buffer.js';
import type { Learner, PolicyFn, ReplaySink } from '../pipeline/types.js';

/** Uniform random actions for the first learningStarts steps, then stochastic policy samples (env units). */
export function explorationPolicy(agent: SacAgent, learningStarts: number): PolicyFn {
  return (obs, n, step) => (step < learningStarts ? agent.randomAction(n) : agent.act(obs, n, 'stochastic'));
}

/** The agent learns in [-1, 1] action units: convert env-unit actions before storing. */
export function replaySink(agent: SacAgent, replay: ReplayBuffer): ReplaySink {
  return { add: (obs, action, reward, nextObs, terminated) => replay.add(obs, agent.toUnit(action), reward, nextObs, terminated) };
}

/** One gradient step on the buffer; skipped (null) while it holds fewer rows than a minibatch. */
export function learner(agent: SacAgent, replay: ReplayBuffer): Learner {
  return { update: (wantStats) => (replay.size < agent.config.batchSize ? null : agent.update(replay, { stats: wantStats })) };
}
