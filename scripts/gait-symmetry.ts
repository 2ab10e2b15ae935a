/**
 * Do the legs move as one? Deterministic evaluation episodes of exported policies, with the
 * state's asymmetry under the env's exact mirror (envs/state-asymmetry.ts) at every step:
 *
 *   node --import tsx scripts/gait-symmetry.ts [--episodes 10] [--seed 0] [--out f.json] <run or policy dir>...
 *
 * A run directory stands for its policy/ folder. One table row per policy: mean return and
 * episode length, the reset state's asymmetry, the mean over all steps, the share of steps
 * in sync (asymmetry < 0.05) and the median first step at which it reaches 0.1.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadPolicy } from '../agents/policy-loader.js';
import { make } from '../envs/registry.js';
import { symmetries } from '../envs/symmetries.js';
import { trajectoryAsymmetry, type TrajectoryAsymmetry } from '../envs/state-asymmetry.js';
import { initBackend } from '../src/backend.js';
import { median } from '../src/stats/descriptive.js';

interface Row {
  policy: string;
  /** The run's agent directory and seed (runs are <env>/<agent>/seed-<n>), else the policy's agent kind. */
  run: string;
  env: string;
  agent: string;
  returnMean: number;
  lengthMean: number;
  initial: number;
  mean: number;
  syncFraction: number;
  /** Median over episodes of the first step at asymmetry >= 0.1 (episodes that never reach it count as their length). */
  breakStepMedian: number;
  episodes: TrajectoryAsymmetry[];
}

const program = new Command('gait-symmetry')
  .argument('<dirs...>', 'run directories (their policy/ folder) or policy directories')
  .option('--episodes <n>', 'deterministic episodes per policy', '10')
  .option('--seed <n>', "first episode's reset seed (later episodes continue its stream)", '0')
  .option('--out <file>', 'also write the rows as JSON');
program.parse();
const opts = program.opts<{ episodes: string; seed: string; out?: string }>();
/** Measure every policy given and print the table (and the JSON with --out). */
async function main(): Promise<void> {
  const episodes = Number(opts.episodes);
  const seed = Number(opts.seed);
  if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`--episodes ${opts.episodes}: give a positive integer.`);
  if (!Number.isInteger(seed)) throw new Error(`--seed ${opts.seed}: give an integer.`);

  await initBackend({});
  const rows: Row[] = [];
  for (const dir of program.args) {
    const source = existsSync(join(dir, 'policy', 'policy.json')) ? join(dir, 'policy') : dir;
    if (!existsSync(join(source, 'policy.json'))) throw new Error(`${dir}: no policy.json there or in its policy/ folder; give a finished run's directory or an exported policy.`);
    const policy = await loadPolicy(source);
    const envId = policy.manifest.envId;
    const spec = symmetries(envId).find((s) => s.name === 'exact_mirror');
    if (spec === undefined) throw new Error(`${envId} has no exact mirror symmetry, so its states' asymmetry says nothing about the dynamics; use Walker2d, Swimmer or Ant.`);
    const env = await make(envId);
    const returns: number[] = [];
    const lengths: number[] = [];
    const summaries: TrajectoryAsymmetry[] = [];
    for (let e = 0; e < episodes; e++) {
      let obs = env.reset(e === 0 ? { seed } : {}).observation;
      const states = [Float64Array.from(obs)];
      let ret = 0;
      for (;;) {
        const r = env.step(policy.act(obs));
        ret += r.reward;
        if (r.terminated || r.truncated) break;
        obs = r.observation;
        states.push(Float64Array.from(obs));
      }
      returns.push(ret);
      lengths.push(states.length);
      summaries.push(trajectoryAsymmetry(spec.obs, states));
    }
    env.close();
    policy.dispose();
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const parts = source.replace(/[/\\]policy[/\\]?$/, '').split(/[/\\]/);
    const isRun = parts.length >= 2 && /^seed-\d+$/.test(parts.at(-1)!);
    rows.push({
      policy: source,
      run: isRun ? `${parts.at(-2)} ${parts.at(-1)}` : `${policy.manifest.agentKind} (${source})`,
      env: envId,
      agent: policy.manifest.agentKind,
      returnMean: mean(returns),
      lengthMean: mean(lengths),
      initial: mean(summaries.map((s) => s.initial)),
      // Step-weighted: every state of every episode counts once.
      mean: summaries.reduce((s, t, i) => s + t.mean * lengths[i], 0) / lengths.reduce((a, b) => a + b, 0),
      syncFraction: summaries.reduce((s, t, i) => s + t.syncFraction * lengths[i], 0) / lengths.reduce((a, b) => a + b, 0),
      breakStepMedian: median(summaries.map((s, i) => s.breakStep ?? lengths[i])),
      episodes: summaries,
    });
  }

  const f = (x: number, d = 3): string => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : x.toFixed(d));
  const lines = [
    '| env | run | return | length | asymmetry at reset | mean asymmetry | steps in sync (< 0.05) | median first step >= 0.1 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.env} | ${r.run} | ${r.returnMean.toFixed(0)} | ${r.lengthMean.toFixed(0)} | ${f(r.initial, 4)} | ${f(r.mean)} | ${(100 * r.syncFraction).toFixed(0)}% | ${r.breakStepMedian} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (opts.out !== undefined) writeFileSync(opts.out, `${JSON.stringify({ episodes, seed, rows }, null, 1)}\n`);
}

try {
  await main();
} catch (err) {
  // Bad input is one clear line, not a stack trace.
  process.stderr.write(`gait-symmetry: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
