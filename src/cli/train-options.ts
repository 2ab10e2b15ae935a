/**
 * The `train` command's options and how they become a run config, in one place: the CLI
 * (main.ts) registers them, and `parseTrainArgs` reads a `train ...` argument list exactly
 * as `rpp-sac train` would (a sweep's planned runs, the shipped-config test).
 *
 * Resolution (later wins): schema defaults < --preset < --config file < flags.
 */
import { Command, Option } from 'commander';
import { readConfigFile, readPreset, resolveRunConfig, checkLayer, type RunConfig } from '../run/run-config.js';
import { UserError } from '../run/user-error.js';
import { envIds } from '../../envs/registry.js';
import { addConfigOptions, configFromFlags } from './config-flags.js';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const; // as src/backend.ts (checked there again)

/** Commander's parsed `train` options: the run-level ones below plus one per config key. */
export interface TrainFlags {
  out?: string;
  config?: string;
  preset?: string;
  backend?: string;
  logLevel?: string;
  progress?: boolean;
  stopAt?: number;
  [key: string]: unknown;
}

export function backendOption(): Option {
  return new Option('--backend <name>', `tfjs backend: ${BACKEND_CHOICES.join(', ')} (auto: tfjs-node-gpu, then tfjs-node if installed, then webgpu if it finds a hardware GPU adapter, else wasm; webgpu needs the optional packages webgpu and @tensorflow/tfjs-backend-webgpu)`).argParser((v) => {
    const b = v.trim().toLowerCase();
    if (!(BACKEND_CHOICES as readonly string[]).includes(b)) throw new UserError(`Unknown backend '${v}'. Choose one of: ${BACKEND_CHOICES.join(', ')} (flag --backend or env RPP_SAC_BACKEND).`);
    return b;
  });
}

/** --stop-at (train and resume): stop cleanly at this env step; a later `resume` continues exactly. */
export function stopAtOption(): Option {
  return new Option('--stop-at <steps>', 'stop cleanly once this many env steps are done (final checkpoint, status interrupted, exit 0), e.g. to train in slices; `npx rpp-sac resume` continues exactly as if uninterrupted').argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UserError(`--stop-at ${v}: expected a positive integer (1e6 notation is fine).`);
    return n;
  });
}

/** Add the `train` options to a command: --config, --preset, --out, --backend, --log-level, --no-progress, --stop-at and one flag per config key. */
export function addTrainOptions(cmd: Command): Command {
  cmd
    .option('--config <file>', 'JSON or YAML file with config keys (the [key: ...] names below); unknown keys and wrong types are errors')
    .option('--preset <name>', "per-env settings from runs/presets/<name>.yaml (e.g. Walker2d-v5), 'auto' for the --env's preset, or a path to a .yaml file; presets are never applied unless asked for")
    .option('--out <dir>', 'run directory (default: runs/<env>-<agent>-seed<seed>-<time>)')
    .addOption(backendOption())
    .option('--log-level <level>', 'winston level for the console and log.jsonl (error, warn, info, debug)')
    .option('--no-progress', 'no progress bar: periodic log lines instead (the default when stderr is not a TTY)')
    .addOption(stopAtOption());
  addConfigOptions(cmd);
  return cmd;
}

/** The run config of parsed `train` options: preset, config file and flags merged and validated; the env must exist. */
export function trainConfigOf(opts: TrainFlags): Readonly<RunConfig> {
  const flags = checkLayer(configFromFlags(opts), 'flags');
  const file = opts.config === undefined ? undefined : readConfigFile(opts.config);
  let preset: Record<string, unknown> | undefined;
  if (opts.preset !== undefined) {
    const env = (flags.env ?? file?.env) as string | undefined;
    if (opts.preset === 'auto' && env === undefined) throw new UserError("--preset auto needs --env (or env in the --config file) to pick runs/presets/<env>.yaml.");
    preset = readPreset(opts.preset === 'auto' ? env! : opts.preset);
  }
  const config = resolveRunConfig({ ...(preset ? { preset } : {}), ...(file ? { file } : {}), flags });
  if (!envIds().includes(config.env)) throw new UserError(`Unknown env '${config.env}'. Valid ids: ${envIds().join(', ')}. Fix --env (or "env" in the config file).`);
  return config;
}

/**
 * Read the arguments of `rpp-sac train` (without the leading `train`) into the run
 * config that command would train with, and its parsed options. Bad flags throw (a
 * UserError naming the flag); nothing is printed and nothing is trained.
 */
export function parseTrainArgs(args: readonly string[]): { config: Readonly<RunConfig>; flags: TrainFlags } {
  const cmd = addTrainOptions(new Command('train'))
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  try {
    cmd.parse([...args], { from: 'user' });
  } catch (err) {
    throw new UserError(`train ${args.join(' ')}: ${(err as Error).message}`);
  }
  const flags = cmd.opts<TrainFlags>();
  return { config: trainConfigOf(flags), flags };
}
