import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { asyncScheduler, map, of, toArray, lastValueFrom, take } from 'rxjs';
import { trainAtRatio, updatesDue } from '../src/pipeline/train-at-ratio.js';
import { episodeRecords } from '../src/pipeline/episode-records.js';
import { evaluateEvery } from '../src/pipeline/evaluate-every.js';
import { checkpointEvery } from '../src/pipeline/checkpoint-every.js';
import { storeTransitions } from '../src/pipeline/store-transitions.js';
import { PendingWork } from '../src/pipeline/pending-work.js';
import { rollout } from '../src/pipeline/rollout.js';
import { RolloutEnvs } from '../src/pipeline/rollout-envs.js';
import { trainingEvents, type TrainingEvent } from '../src/pipeline/training-pipeline.js';
import { evaluatePolicy, meanStd } from '../src/pipeline/evaluate-policy.js';
import { sampleEveryMs } from '../src/pipeline/sample-every-ms.js';
import type { TrainedBatch } from '../src/pipeline/types.js';
import { ArrayReplay, CountingLearner, FakeEnv, batch } from './pipeline-fakes.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected));

describe('trainAtRatio', () => {
  test('updatesDue counts gradient steps earned after learningStarts', () => {
    const s = { learningStarts: 10, gradientSteps: 2 };
    assert.equal(updatesDue(0, 10, s), 0);
    assert.equal(updatesDue(10, 11, s), 2);
    assert.equal(updatesDue(8, 12, s), 4); // a 4-env batch straddling learningStarts: 2 steps count
    assert.equal(updatesDue(20, 24, s), 8);
  });

  test('marble: updates happen per step after learningStarts, stats carried forward', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const learner = new CountingLearner();
      const src = cold('a-b-c-d|', { a: batch(1), b: batch(2), c: batch(3), d: batch(4) });
      const out = src.pipe(
        trainAtRatio(learner, { learningStarts: 2, gradientSteps: 3, statsEvery: 100 }),
        map((b) => `${b.step}:${b.updates}:${b.totalUpdates}:${b.latestUpdate?.actorLoss ?? 'none'}`),
      );
      // Stats on the first update batch, then only when a multiple of statsEvery is crossed.
      expectObservable(out).toBe('a-b-c-d|', { a: '1:0:0:none', b: '2:0:0:none', c: '3:3:3:-3', d: '4:3:6:-3' });
    });
  });

  test('stats are requested once per statsEvery updates, on the last update of a batch', async () => {
    const learner = new CountingLearner();
    const steps = Array.from({ length: 50 }, (_, i) => batch(i + 1));
    const out = await lastValueFrom(of(...steps).pipe(trainAtRatio(learner, { learningStarts: 0, gradientSteps: 2, statsEvery: 25 }), toArray()));
    assert.equal(learner.calls, 100);
    assert.equal(learner.statsCalls, 5); // updates 2 (first), then 26, 50, 76, 100 (crossing 25, 50, 75, 100)
    assert.equal(out[49].latestUpdate?.actorLoss, -100);
    assert.equal(out[48].latestUpdate?.actorLoss, -76);
  });

  test('resumeFrom: a resumed run continues the count, the stats grid and the latest stats', async () => {
    const schedule = { learningStarts: 0, gradientSteps: 2, statsEvery: 25 };
    const steps = Array.from({ length: 50 }, (_, i) => batch(i + 1));
    const whole = await lastValueFrom(of(...steps).pipe(trainAtRatio(new CountingLearner(), schedule), toArray()));
    const first = await lastValueFrom(of(...steps.slice(0, 20)).pipe(trainAtRatio(new CountingLearner(), schedule), toArray()));
    const resumedLearner = new CountingLearner(40);
    const last = first[first.length - 1];
    const second = await lastValueFrom(of(...steps.slice(20)).pipe(trainAtRatio(resumedLearner, schedule, { totalUpdates: last.totalUpdates, latestUpdate: last.latestUpdate }), toArray()));
    const view = (b: TrainedBatch): string => `${b.step}:${b.totalUpdates}:${b.latestUpdate?.actorLoss ?? 'none'}`;
    assert.deepEqual([...first, ...second].map(view), whole.map(view));
    assert.equal(resumedLearner.statsCalls, 3); // updates 50, 76, 100, as in the whole run
  });
});

describe('episodeRecords', () => {
  test('marble: one record per finished episode with the batch\'s episode totals, per env', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', {
        a: batch(2, 2, [1, 2], [0, 0], [0, 0], [1, 2], [1, 1]),
        b: batch(4, 2, [3, 4], [1, 0], [0, 0], [4, 6], [2, 2]),
        c: batch(6, 2, [5, 6], [0, 1], [0, 0], [5, 12], [1, 3]),
      });
      expectObservable(src.pipe(episodeRecords())).toBe('--b-c|', {
        b: { step: 4, return: 4, length: 2 },
        c: { step: 6, return: 12, length: 3 },
      });
    });
  });

  test('terminated also ends an episode', async () => {
    const recs = await lastValueFrom(of(batch(1, 1, [2], [0], [1]), batch(2, 1, [3], [0], [1])).pipe(episodeRecords(), toArray()));
    assert.deepEqual(recs, [
      { step: 1, return: 2, length: 1 },
      { step: 2, return: 3, length: 1 },
    ]);
  });
});

describe('evaluateEvery', () => {
  test('marble: evaluates at each multiple, once per crossing, and at the final step', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const steps = { a: { step: 2 }, b: { step: 4 }, c: { step: 6 }, d: { step: 10 }, e: { step: 11 } };
      const src = cold('a-b-c-d-e|', steps);
      expectObservable(src.pipe(evaluateEvery(4, (b) => b.step, { finalStep: 11 }))).toBe('--b---d-e|', { b: 4, d: 10, e: 11 });
    });
  });

  test('a resumed run keeps the grid', async () => {
    const got = await lastValueFrom(of({ step: 5001 }, { step: 5999 }, { step: 6000 }).pipe(evaluateEvery(1000, (b) => b.step), toArray()));
    assert.deepEqual(got, [6000]);
  });
});

describe('storeTransitions', () => {
  test('adds each env row with terminated (not truncated) as the done flag', async () => {
    const replay = new ArrayReplay();
    await lastValueFrom(of(batch(2, 2, [1, -1], [1, 0], [0, 1])).pipe(storeTransitions(replay)));
    assert.equal(replay.rows.length, 2);
    assert.deepEqual(replay.rows[0], { obs: [2, 2], action: [1], reward: 1, nextObs: [3, 3], terminated: false });
    assert.equal(replay.rows[1].terminated, true);
  });
});

describe('checkpointEvery + PendingWork', () => {
  test('saves at each multiple and the work tracker reports busy until the save resolves', async () => {
    const work = new PendingWork();
    const saved: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await lastValueFrom(
      of({ step: 1 }, { step: 2 }, { step: 3 }, { step: 4 }).pipe(
        checkpointEvery(2, async (b) => {
          saved.push(b.step);
          await gate;
        }, work),
      ),
    );
    assert.deepEqual(saved, [2, 4]);
    assert.equal(work.busy, true);
    release();
    await work.settled();
    assert.equal(work.busy, false);
  });

  test('a failed save surfaces from settled()', async () => {
    const work = new PendingWork();
    work.track(Promise.reject(new Error('disk full')));
    await assert.rejects(work.settled(), /disk full/);
  });
});

/** Seeds for fakes: env i's episode k resets with 100 i + k (FakeEnv shows it in obs[0]). */
const fakeSeeds = (i: number, k: number): number => 100 * i + k;
const fakeEnvs = (...envs: FakeEnv[]): RolloutEnvs => RolloutEnvs.start(envs, fakeSeeds);

describe('rollout source', () => {
  test('steps n envs, resets finished ones in the same step with the seed of their next episode', async () => {
    const envs = [new FakeEnv(3), new FakeEnv(3)];
    const batches = await lastValueFrom(rollout({ envs: fakeEnvs(...envs), policy: (_o, n) => new Float32Array(n).fill(0.5), totalSteps: 8 }).pipe(toArray()));
    assert.deepEqual(batches.map((b) => b.step), [2, 4, 6, 8]);
    assert.deepEqual(Array.from(batches[0].obs), [0, 0, 100, 0]);
    // t hits the horizon 3 at the third vector step: truncated, true final obs in nextObs, then reset.
    assert.deepEqual(Array.from(batches[2].truncated), [1, 1]);
    assert.deepEqual(Array.from(batches[2].nextObs), [0, 3, 100, 3]);
    assert.deepEqual(Array.from(batches[2].episodeReturn), [1.5, 1.5]);
    assert.deepEqual(Array.from(batches[2].episodeLength), [3, 3]);
    assert.deepEqual(Array.from(batches[3].obs), [1, 0, 101, 0]);
    assert.deepEqual(Array.from(batches[3].episodeLength), [1, 1]);
    assert.equal(envs[0].steps, 4); // no step wasted on autoreset
  });

  test('policy sees the step count and the current obs; resumes from startStep', async () => {
    const seen: number[] = [];
    const env = new FakeEnv(10);
    await lastValueFrom(rollout({ envs: fakeEnvs(env), policy: (o, _n, step) => (seen.push(step, o[1]), Float32Array.of(1)), totalSteps: 103, startStep: 100 }).pipe(toArray()));
    assert.deepEqual(seen, [100, 0, 101, 1, 102, 2]);
  });

  test('a wrong action length is an error naming the expected size', async () => {
    await assert.rejects(lastValueFrom(rollout({ envs: fakeEnvs(new FakeEnv()), policy: () => new Float32Array(3), totalSteps: 5 })), /expected n\*actDim = 1/);
  });

  test('unsubscribing stops stepping (cancellation between chunks)', async () => {
    const env = new FakeEnv(1000);
    const last = await lastValueFrom(rollout({ envs: fakeEnvs(env), policy: () => Float32Array.of(1), totalSteps: 1e9, chunkMs: 1 }).pipe(take(10)));
    assert.equal(last.step, 10);
    const stepsAfter = env.steps;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(env.steps, stepsAfter);
    assert.equal(stepsAfter, 10);
  });

  test('marble (virtual time): chunks are scheduled on the given scheduler', () => {
    newScheduler().run(({ expectObservable }) => {
      // chunkMs 0: one step per chunk, each chunk one scheduler turn at virtual time 0.
      const src = rollout({ envs: fakeEnvs(new FakeEnv(2)), policy: () => Float32Array.of(1), totalSteps: 3, chunkMs: -1, scheduler: asyncScheduler });
      const steps = src.pipe(map((b) => b.step));
      expectObservable(steps).toBe('(abc|)', { a: 1, b: 2, c: 3 });
    });
  });

  test('waits for pending work (a checkpoint) before stepping on', async () => {
    const work = new PendingWork();
    const env = new FakeEnv(100);
    let release!: () => void;
    const events: string[] = [];
    const done = lastValueFrom(
      rollout({ envs: fakeEnvs(env), policy: () => Float32Array.of(1), totalSteps: 4, pause: work }).pipe(
        checkpointEvery(2, async (b) => {
          events.push('save-start');
          if (b.step === 2) await new Promise<void>((r) => (release = r));
          events.push('save-end');
        }, work),
        map((b) => events.push(`step${b.step}`)),
      ),
    );
    for (let i = 0; i < 200 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50)); // had it not paused, steps 3 and 4 would be here by now
    assert.deepEqual(events, ['step1', 'save-start', 'step2']);
    release();
    await done;
    assert.deepEqual(events, ['step1', 'save-start', 'step2', 'save-end', 'step3', 'save-start', 'save-end', 'step4']);
  });
});

describe('RolloutEnvs', () => {
  const act = (v: number): Float32Array => Float32Array.of(v);

  test('save mid-episode, resume on fresh envs: the same batches follow', () => {
    const actions = [0.5, 0.25, 1, 0.75, -1, 0.5, 0.125, 1, 0.5];
    const whole = fakeEnvs(new FakeEnv(4), new FakeEnv(4));
    const all = actions.map((v, t) => whole.step(Float32Array.of(v, -v / 2 + 0.5), 2 * (t + 1)));
    const a = fakeEnvs(new FakeEnv(4), new FakeEnv(4));
    for (let t = 0; t < 6; t++) a.step(Float32Array.of(actions[t], -actions[t] / 2 + 0.5), 2 * (t + 1));
    const saved = JSON.parse(JSON.stringify(a.save())) as ReturnType<RolloutEnvs['save']>;
    // env 0: truncated at t=3 (horizon 4), terminated at t=4 (action < 0); env 1: truncated at t=3.
    assert.deepEqual(saved.envs.map((e) => [e.episode, e.length]), [[2, 1], [1, 2]]);
    const fresh = [new FakeEnv(4), new FakeEnv(4)];
    const { envs: b, mismatched } = RolloutEnvs.resume(fresh, fakeSeeds, saved);
    assert.deepEqual(mismatched, []);
    assert.equal(b.finishedEpisodes, a.finishedEpisodes);
    assert.deepEqual(Array.from(b.obs), Array.from(a.obs));
    const rest = actions.slice(6).map((v, t) => b.step(Float32Array.of(v, -v / 2 + 0.5), 2 * (t + 7)));
    assert.deepEqual(rest, all.slice(6));
  });

  test('a replay that does not reproduce the saved place is reported', () => {
    const a = fakeEnvs(new FakeEnv(10));
    a.step(act(0.5), 1);
    a.step(act(0.5), 2);
    const saved = a.save();
    saved.envs[0].return = 0.75;
    assert.deepEqual(RolloutEnvs.resume([new FakeEnv(10)], fakeSeeds, saved).mismatched, [0]);
    assert.throws(() => RolloutEnvs.resume([new FakeEnv(10), new FakeEnv(10)], fakeSeeds, saved), /saved state has 1 envs, this rollout 2/);
  });
});

describe('trainingEvents (composition with fakes)', () => {
  test('episodes, evaluations and progress from one shared rollout; counts match', async () => {
    const envs = [new FakeEnv(5), new FakeEnv(5)];
    const replay = new ArrayReplay();
    const learner = new CountingLearner();
    const evals: number[] = [];
    const events = await lastValueFrom(
      trainingEvents({
        source: rollout({ envs: fakeEnvs(...envs), policy: (_o, n) => new Float32Array(n).fill(1), totalSteps: 40 }),
        replay,
        learner,
        schedule: { learningStarts: 10, gradientSteps: 1 },
        evalEvery: 20,
        finalStep: 40,
        evaluate: (b) => {
          evals.push(b.step);
          return { step: b.step, meanReturn: 0, stdReturn: 0, returns: [], meanLength: 0, equivError: null, alpha: b.latestUpdate?.alpha ?? 1, criticLoss: null, actorLoss: null, stepsPerSec: 0, wallTime: 0 };
        },
        progressMs: 1e6,
      }).pipe(toArray()),
    );
    const kinds = (k: TrainingEvent['kind']): TrainingEvent[] => events.filter((e) => e.kind === k);
    assert.equal(envs[0].steps + envs[1].steps, 40);
    assert.equal(replay.rows.length, 40);
    assert.equal(learner.calls, 30);
    assert.equal(learner.statsCalls, 1); // first batch with updates only (statsEvery 100 not crossed again)
    assert.equal(kinds('episode').length, 8);
    for (const e of kinds('episode')) if (e.kind === 'episode') assert.deepEqual([e.record.return, e.record.length], [5, 5]);
    assert.deepEqual(evals, [20, 40]);
    assert.ok(kinds('progress').length >= 1);
  });
});

describe('evaluatePolicy', () => {
  test('whole episodes, seeded first reset, mean/std', () => {
    const env = new FakeEnv(4);
    const r = evaluatePolicy(env, () => Float32Array.of(0.5), 3, 42);
    assert.deepEqual(r.returns, [2, 2, 2]);
    assert.deepEqual(r.lengths, [4, 4, 4]);
    assert.equal(env.lastSeed, 42);
    const ms = meanStd([1, 3]);
    assert.equal(ms.mean, 2);
    assert.equal(ms.std, 1);
  });
});

describe('sampleEveryMs', () => {
  test('first value, then at most one per window, then the last on completion', async () => {
    let now = 0;
    const clock = (): number => now;
    const src = of(0, 1, 2, 3, 4, 5).pipe(map((v) => ((now = v * 400), v)));
    const got = await lastValueFrom(src.pipe(sampleEveryMs(1000, clock), toArray()));
    // t = 0, 400, 800, 1200, 1600, 2000: emits at 0, 1200 (>= 1000 after 0), then held 5 at 2000? 2000-1200 < 1000 -> held, flushed at end.
    assert.deepEqual(got, [0, 3, 5]);
  });
});
