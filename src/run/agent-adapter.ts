/**
 * Binds the SAC agent and replay buffer to the pipeline's small contracts
 * (PolicyFn, ReplaySink, Learner). The only place the pipeline meets agents/.
 */
import type { SacAgent } from '../../agents/sac.js';
import type { ReplayBuffer } from '../replay/replay-buffer.js';
import type { Learner, PolicyFn, ReplaySink, SyncPolicyFn, UpdateStats } from '../pipeline/types.js';

/** Uniform random actions for the first learningStarts steps, then stochastic policy samples (env units). */
export function explorationPolicy(agent: SacAgent, learningStarts: number): SyncPolicyFn {
  return (obs, n, step) => (step < learningStarts ? agent.randomAction(n) : agent.act(obs, n, 'stochastic'));
}

/** explorationPolicy reading its actions asynchronously (backends without synchronous reads: webgpu in Node). */
export function explorationPolicyAsync(agent: SacAgent, learningStarts: number): PolicyFn {
  return (obs, n, step) => (step < learningStarts ? agent.randomAction(n) : agent.actAsync(obs, n, 'stochastic'));
}

/** The agent learns in [-1, 1] action units: convert env-unit actions before storing. */
export function replaySink(agent: SacAgent, replay: ReplayBuffer): ReplaySink {
  return { add: (obs, action, reward, nextObs, terminated) => replay.add(obs, agent.toUnit(action), reward, nextObs, terminated) };
}

/** A Learner that remembers the stats of its latest update that reported them (checkpoints keep them). */
export interface AgentLearner extends Learner {
  readonly latestStats: UpdateStats | null;
}

/**
 * One gradient step on the buffer per call, never skipped: the buffer samples with
 * replacement, so a minibatch can be drawn from fewer rows than its size (as SB3 does
 * when learningStarts < batchSize), and the pipeline's update count is the agent's.
 * `latestStats`: where a resumed run's stats left off. `asyncStats`: read stats with
 * updateAsync (backends without synchronous reads: webgpu in Node).
 */
export function learner(agent: SacAgent, replay: ReplayBuffer, latestStats: UpdateStats | null = null, opts: { asyncStats?: boolean } = {}): AgentLearner {
  let latest = latestStats;
  return {
    update: (wantStats) => {
      if (wantStats && opts.asyncStats === true) {
        return agent.updateAsync(replay).then((s) => (latest = s));
      }
      const stats = agent.update(replay, { stats: wantStats });
      if (stats !== null) latest = stats;
      return stats;
    },
    get latestStats() {
      return latest;
    },
  };
}
