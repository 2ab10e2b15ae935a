/**
 * Command-line flags generated from the run config schema: one flag per field
 * (kebab-case, e.g. batchSize -> --batch-size; totalSteps -> --steps), documented
 * with the field's description and default, values coerced to the type the field
 * accepts (numbers in 1e6 notation, lists as 256,256, null as null/none/off).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { z } from 'zod';
import { RunConfigSchema } from '../run/run-config.js';

/** Flags named differently from their key (kept short and conventional). */
const FLAG_RENAMES: Readonly<Record<string, string>> = { totalSteps: 'steps' };

export function flagOf(key: string): string {
  return FLAG_RENAMES[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Commander's attribute name for a flag (camelCase of the flag). */
function attributeOf(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function defaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, field] of Object.entries(RunConfigSchema.shape)) {
    const r = (field as z.ZodType).safeParse(undefined);
    if (r.success) out[k] = r.data;
  }
  return out;
}

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** Coerce a flag's text to the first reading the field accepts; else an error naming the flag and the rule broken. */
export function coerceFlagValue(raw: string, field: z.ZodType, flag: string): unknown {
  const t = raw.trim();
  const candidates: unknown[] = [];
  if (NUMBER_RE.test(t)) candidates.push(Number(t));
  if (/^(null|none|off)$/i.test(t)) candidates.push(null);
  if (/^(true|yes|on)$/i.test(t)) candidates.push(true);
  if (/^(false|no|off)$/i.test(t)) candidates.push(false);
  if (t.split(',').every((p) => NUMBER_RE.test(p.trim()))) candidates.push(t.split(',').map((p) => Number(p.trim())));
  candidates.push(t);
  let firstIssue: string | undefined;
  for (const c of candidates) {
    const r = field.safeParse(c);
    if (r.success) return r.data;
    firstIssue ??= r.error.issues[0]?.message;
  }
  if (flag === 'hidden') throw new InvalidArgumentError(`--hidden ${raw}: expected comma-separated widths, e.g. 256,256.`);
  throw new InvalidArgumentError(`--${flag} ${raw}: ${firstIssue ?? 'invalid value'}. See --help for the accepted values.`);
}

function fmtDefault(v: unknown): string {
  if (v === undefined) return 'required';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** Add one option per run-config field to a command. */
export function addConfigOptions(cmd: Command): void {
  const defs = defaults();
  for (const [key, f] of Object.entries(RunConfigSchema.shape)) {
    const field = f as z.ZodType;
    const flag = flagOf(key);
    const isBool = typeof defs[key] === 'boolean';
    const desc = `${field.description ?? key} [key: ${key}; default: ${fmtDefault(defs[key])}]`;
    const opt = new Option(isBool ? `--${flag} [bool]` : `--${flag} <value>`, desc).argParser((raw: string) => coerceFlagValue(raw, field, flag));
    cmd.addOption(opt);
  }
}

/** The config values given as flags (only those the user passed), keyed by config key. */
export function configFromFlags(opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(RunConfigSchema.shape)) {
    const v = opts[attributeOf(flagOf(key))];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
