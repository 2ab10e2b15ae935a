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
import { trainingEvents, type TrainingEvent } from '../src/pipeline/training-pipeline.js';
import { evaluatePolicy, meanStd } from '../src/pipeline/evaluate-policy.js';
import { sampleEveryMs } from '../src/pipeline/sample-every-ms.js';
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
});

describe('episodeRecords', () => {
  test('marble: one record per finished episode with return and length, per env', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', {
        a: batch(2, 2, [1, 2], [0, 0]),
        b: batch(4, 2, [3, 4], [1, 0]),
        c: batch(6, 2, [5, 6], [0, 1]),
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

describe('rollout source', () => {
  test('steps n envs, resets finished ones in the same step, seeds env i with resetSeed+i', async () => {
    const envs = [new FakeEnv(3), new FakeEnv(3)];
    const batches = await lastValueFrom(rollout({ envs, policy: (_o, n) => new Float32Array(n).fill(0.5), totalSteps: 8, resetSeed: 7 }).pipe(toArray()));
    assert.deepEqual(batches.map((b) => b.step), [2, 4, 6, 8]);
    assert.deepEqual(Array.from(batches[0].obs), [7, 0, 8, 0]);
    // t hits the horizon 3 at the third vector step: truncated, true final obs in nextObs, then reset.
    assert.deepEqual(Array.from(batches[2].truncated), [1, 1]);
    assert.deepEqual(Array.from(batches[2].nextObs), [7, 3, 8, 3]);
    assert.deepEqual(Array.from(batches[3].obs), [7, 0, 8, 0]);
    assert.equal(envs[0].steps, 4); // no step wasted on autoreset
  });

  test('policy sees the step count and the current obs; resumes from startStep', async () => {
    const seen: number[] = [];
    const env = new FakeEnv(10);
    await lastValueFrom(rollout({ envs: [env], policy: (o, _n, step) => (seen.push(step, o[1]), Float32Array.of(1)), totalSteps: 103, startStep: 100, resetSeed: 0 }).pipe(toArray()));
    assert.deepEqual(seen, [100, 0, 101, 1, 102, 2]);
  });

  test('a wrong action length is an error naming the expected size', async () => {
    await assert.rejects(lastValueFrom(rollout({ envs: [new FakeEnv()], policy: () => new Float32Array(3), totalSteps: 5, resetSeed: 0 })), /expected n\*actDim = 1/);
  });

  test('unsubscribing stops stepping (cancellation between chunks)', async () => {
    const env = new FakeEnv(1000);
    const last = await lastValueFrom(rollout({ envs: [env], policy: () => Float32Array.of(1), totalSteps: 1e9, resetSeed: 0, chunkMs: 1 }).pipe(take(10)));
    assert.equal(last.step, 10);
    const stepsAfter = env.steps;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(env.steps, stepsAfter);
    assert.equal(stepsAfter, 10);
  });

  test('marble (virtual time): chunks are scheduled on the given scheduler', () => {
    newScheduler().run(({ expectObservable }) => {
      // chunkMs 0: one step per chunk, each chunk one scheduler turn at virtual time 0.
      const src = rollout({ envs: [new FakeEnv(2)], policy: () => Float32Array.of(1), totalSteps: 3, resetSeed: 0, chunkMs: -1, scheduler: asyncScheduler });
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
      rollout({ envs: [env], policy: () => Float32Array.of(1), totalSteps: 4, resetSeed: 0, pause: work }).pipe(
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

describe('trainingEvents (composition with fakes)', () => {
  test('episodes, evaluations and progress from one shared rollout; counts match', async () => {
    const envs = [new FakeEnv(5), new FakeEnv(5)];
    const replay = new ArrayReplay();
    const learner = new CountingLearner();
    const evals: number[] = [];
    const events = await lastValueFrom(
      trainingEvents({
        source: rollout({ envs, policy: (_o, n) => new Float32Array(n).fill(1), totalSteps: 40, resetSeed: 0 }),
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
