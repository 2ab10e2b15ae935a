/**
 * What a sweep re-run would train differently from the runs already in its directory:
 * the `train` flags (the sweep's trainArgs and the flags of each variant it runs) of the
 * recorded sweep.json against the new config. Without this, a re-run with other flags
 * keeps the old runs and rewrites sweep.json, which then no longer says what ran.
 */
import type { SweepConfig } from './sweep-config.js';

/** `--a 1 --b --c x` -> { '--a': '1', '--b': '', '--c': 'x' } (later flags win, as in `train`). */
function flagMap(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(0, eq), a.slice(eq + 1));
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) out.set(a, args[++i]!);
    else out.set(a, '');
  }
  return out;
}

function diff(prefix: string, before: readonly string[], after: readonly string[]): string[] {
  const a = flagMap(before);
  const b = flagMap(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const show = (m: Map<string, string>, k: string): string => (m.has(k) ? (m.get(k) === '' ? 'set' : m.get(k)!) : 'unset');
  return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => `${prefix}${k}: ${show(a, k)} -> ${show(b, k)}`);
}

/** Each differing flag as `<where>--flag: old -> new`; empty when the runs would be trained alike. */
export function changedTrainFlags(recorded: Pick<SweepConfig, 'trainArgs' | 'variants'>, current: Pick<SweepConfig, 'trainArgs' | 'variants' | 'agents'>): string[] {
  const changes = diff('', recorded.trainArgs ?? [], current.trainArgs);
  for (const agent of current.agents) {
    const before = recorded.variants?.[agent];
    const after = current.variants[agent];
    if (before === undefined || after === undefined) continue;
    if (before.agent !== after.agent) changes.push(`variant ${agent}: agent ${before.agent} -> ${after.agent}`);
    changes.push(...diff(`variant ${agent}: `, before.trainArgs, after.trainArgs));
  }
  return changes;
}
