/**
 * Checkpoints: everything needed to continue a run exactly.
 *
 * Layout of a checkpoint directory:
 *   manifest.json   format/version, env id, agent kind, dims, architecture signature
 *                   (name and shape of every variable), config and its hash, Adam step
 *                   counts, RNG states, counters, optional loop state, and for every
 *                   binary file its byte length and SHA-256
 *   params.bin      all variables (actor, critics, target critics, log alpha), float32 LE
 *   adam.bin        Adam first and second moments (actor, critic, alpha), float32 LE
 *   replay-*.bin    optional: the replay buffer's rows [0, size) per field
 *
 * Writes are atomic: everything goes to a sibling temp directory, which is then
 * renamed into place (an existing checkpoint is moved aside first and removed
 * after), so a crash leaves either the old or the new checkpoint, never a mix.
 * Loading verifies sizes and hashes and refuses a checkpoint made for another env,
 * agent kind, architecture or config with a message naming the mismatch.
 */
import { createHash } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { replaceDirAtomically } from '../src/atomic-dir.js';
import type { RngState } from '../src/random.js';
import type { RolloutEnvsState } from '../src/pipeline/rollout-envs.js';
import type { UpdateStats } from '../src/pipeline/types.js';
import { REPLAY_FIELDS, type ReplayBuffer, type ReplayField, type ReplayState } from '../src/replay/replay-buffer.js';
import type { SacAgent, SacAgentState } from './sac.js';
import type { AdamState } from './adam.js';
import { SacConfigSchema } from './sac-config.js';

export const CHECKPOINT_FORMAT = 'rpp-sac-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** The training run's own state (src/run/train-run.ts): counters and where the envs are. */
export interface LoopState {
  /** Env steps taken. */
  step: number;
  /** Training episodes finished. */
  episode: number;
  /** Stats of the latest gradient step that reported them (evaluation records carry them until the next). */
  latestUpdate?: UpdateStats | null;
  /**
   * Each training env's place in its episode (src/pipeline/rollout-envs.ts), so a resume
   * continues mid-episode exactly. Absent in checkpoints written before it existed.
   */
  rollout?: RolloutEnvsState;
}

type ParamGroup = keyof SacAgentState['params'];
const PARAM_GROUPS: ParamGroup[] = ['actor', 'critic1', 'critic2', 'critic1Target', 'critic2Target', 'logAlpha'];
const ADAM_GROUPS = ['actor', 'critic', 'alpha'] as const;

interface FileEntry {
  bytes: number;
  sha256: string;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  createdAt: string;
  envId: string;
  agentKind: string;
  obsDim: number;
  actDim: number;
  /** group -> shapes of its variables, in order. */
  architecture: Record<ParamGroup, number[][]>;
  config: Record<string, unknown>;
  configHash: string;
  adam: Record<(typeof ADAM_GROUPS)[number], { t: number }>;
  rng: RngState;
  updates: number;
  replay: ReplayState | null;
  loop: LoopState | null;
  files: Record<string, FileEntry>;
}

export interface SaveCheckpointOptions {
  envId: string;
  agent: SacAgent;
  /** Include the replay buffer (needed for an exact resume; large: ~2 x obsDim x 4 bytes per transition). */
  replay?: ReplayBuffer | null;
  loop?: LoopState | null;
}

export interface LoadCheckpointOptions {
  envId: string;
  agent: SacAgent;
  /** Restore into this buffer when the checkpoint has one. */
  replay?: ReplayBuffer | null;
  /** Accept a checkpoint whose (non-architecture) hyperparameters differ. Default false. */
  allowConfigChange?: boolean;
}

/** Stable JSON (sorted keys) and its SHA-256, for the config hash. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function configHash(config: object): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex').slice(0, 16);
}

export function architectureOf(agent: SacAgent): Record<ParamGroup, number[][]> {
  const groups = agent.variableGroups();
  const out = {} as Record<ParamGroup, number[][]>;
  for (const g of PARAM_GROUPS) out[g] = groups[g].map((v) => [...v.shape]);
  return out;
}

/** Write arrays back to back to one file; returns its entry. */
async function writeArrays(path: string, arrays: Iterable<Float32Array>): Promise<FileEntry> {
  const fh = await open(path, 'w');
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for (const a of arrays) {
      const buf = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      hash.update(buf);
      let off = 0;
      while (off < buf.byteLength) {
        const { bytesWritten } = await fh.write(buf, off, Math.min(buf.byteLength - off, 1 << 26));
        off += bytesWritten;
      }
      bytes += buf.byteLength;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Read a whole float32 file after checking its size and hash against the manifest. */
async function readFloats(dir: string, name: string, entry: FileEntry | undefined): Promise<Float32Array> {
  if (entry === undefined) throw new Error(`Checkpoint ${dir} is corrupt: the manifest does not list ${name}.`);
  const path = join(dir, name);
  if (!existsSync(path)) throw new Error(`Checkpoint ${dir} is incomplete: ${name} is missing.`);
  const out = new Float32Array(entry.bytes / 4);
  const bytes = new Uint8Array(out.buffer);
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size !== entry.bytes) throw new Error(`Checkpoint ${dir} is corrupt: ${name} has ${size} bytes, the manifest says ${entry.bytes}.`);
    let off = 0;
    while (off < bytes.byteLength) {
      const { bytesRead } = await fh.read(bytes, off, Math.min(bytes.byteLength - off, 1 << 26), off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== entry.sha256) throw new Error(`Checkpoint ${dir} is corrupt: ${name} fails its SHA-256 check (file changed or truncated after saving).`);
  return out;
}

/** Split a flat array into pieces of the given sizes. */
function split(flat: Float32Array, sizes: number[], what: string): Float32Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (flat.length !== total) throw new Error(`Checkpoint ${what} holds ${flat.length} values, the architecture needs ${total}.`);
  const out: Float32Array[] = [];
  let off = 0;
  for (const s of sizes) {
    out.push(flat.slice(off, off + s));
    off += s;
  }
  return out;
}

/** Write a checkpoint directory atomically (see the module comment). */
export async function saveCheckpoint(dir: string, opts: SaveCheckpointOptions): Promise<CheckpointManifest> {
  const { agent } = opts;
  const state = agent.getState();
  return replaceDirAtomically(dir, async (tmp) => {
    const files: Record<string, FileEntry> = {};
    files['params.bin'] = await writeArrays(join(tmp, 'params.bin'), PARAM_GROUPS.flatMap((g) => state.params[g]));
    files['adam.bin'] = await writeArrays(join(tmp, 'adam.bin'), ADAM_GROUPS.flatMap((g) => [state.adam[g].m, state.adam[g].v]));
    let replayState: ReplayState | null = null;
    if (opts.replay) {
      replayState = opts.replay.getState();
      for (const f of REPLAY_FIELDS) files[`replay-${f}.bin`] = await writeArrays(join(tmp, `replay-${f}.bin`), opts.replay.exportField(f));
    }
    const config = { ...agent.config } as Record<string, unknown>;
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      createdAt: new Date().toISOString(),
      envId: opts.envId,
      agentKind: agent.kind,
      obsDim: agent.obsDim,
      actDim: agent.actDim,
      architecture: architectureOf(agent),
      config,
      configHash: configHash(config),
      adam: { actor: { t: state.adam.actor.t }, critic: { t: state.adam.critic.t }, alpha: { t: state.adam.alpha.t } },
      rng: state.rng,
      updates: state.updates,
      replay: replayState,
      loop: opts.loop ?? null,
      files,
    };
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
    return manifest;
  });
}

/** Read and check a manifest (format and version only). */
export async function readManifest(dir: string): Promise<CheckpointManifest> {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new Error(`No checkpoint at ${dir}: manifest.json is missing.`);
  let m: CheckpointManifest;
  try {
    m = JSON.parse(await readFile(path, 'utf8')) as CheckpointManifest;
  } catch (err) {
    throw new Error(`Checkpoint ${dir} is corrupt: manifest.json is not valid JSON (${(err as Error).message}).`);
  }
  if (m.format !== CHECKPOINT_FORMAT) throw new Error(`${dir} is not an rpp-sac checkpoint (format '${String(m.format)}').`);
  if (m.version !== CHECKPOINT_VERSION) throw new Error(`Checkpoint ${dir} has version ${m.version}; this rpp-sac reads version ${CHECKPOINT_VERSION}.`);
  return m;
}

/** Every way the checkpoint does not fit the live agent (empty when it fits). */
export function checkpointMismatches(m: CheckpointManifest, opts: LoadCheckpointOptions): string[] {
  const { agent } = opts;
  const out: string[] = [];
  if (m.envId !== opts.envId) out.push(`env: checkpoint was made for '${m.envId}', this run is '${opts.envId}'`);
  if (m.agentKind !== agent.kind) out.push(`agent: checkpoint is '${m.agentKind}', this run is '${agent.kind}'`);
  if (m.obsDim !== agent.obsDim || m.actDim !== agent.actDim) out.push(`dims: checkpoint obs/act ${m.obsDim}/${m.actDim}, this run ${agent.obsDim}/${agent.actDim}`);
  const arch = architectureOf(agent);
  for (const g of PARAM_GROUPS) {
    const a = m.architecture?.[g] ?? [];
    const b = arch[g];
    if (stableStringify(a) !== stableStringify(b)) {
      out.push(`architecture of ${g}: checkpoint has ${a.length} variables [${a.map((s) => s.join('x')).join(', ')}], this agent ${b.length} [${b.map((s) => s.join('x')).join(', ')}]`);
    }
  }
  if (!opts.allowConfigChange) {
    const live = { ...agent.config } as Record<string, unknown>;
    // A key added to the config after the checkpoint was written (e.g. actorActivation) is
    // read as its default: what the version that wrote the checkpoint ran.
    const saved = { ...(SacConfigSchema.safeParse({}).data ?? {}), ...(m.config ?? {}) } as Record<string, unknown>;
    const keys = new Set([...Object.keys(live), ...Object.keys(saved)]);
    const diff = [...keys].filter((k) => stableStringify(live[k]) !== stableStringify(saved[k]));
    if (diff.length > 0) out.push(`config: ${diff.map((k) => `${k} (checkpoint ${stableStringify(saved[k])}, this run ${stableStringify(live[k])})`).join('; ')}`);
  }
  return out;
}

/**
 * Restore a checkpoint into a live agent (and replay buffer). Throws, changing
 * nothing, if the checkpoint is corrupt or made for another env/agent/architecture/config.
 */
export async function loadCheckpoint(dir: string, opts: LoadCheckpointOptions): Promise<{ manifest: CheckpointManifest; loop: LoopState | null }> {
  const m = await readManifest(dir);
  const mismatches = checkpointMismatches(m, opts);
  if (mismatches.length > 0) {
    throw new Error(`Checkpoint ${dir} does not match this run:\n  ${mismatches.join('\n  ')}\nStart a new run directory, or resume with the checkpoint's own settings.`);
  }
  const arch = m.architecture;
  const sizes = (g: ParamGroup): number[] => arch[g].map((s) => s.reduce((a, b) => a * b, 1));
  const allSizes = PARAM_GROUPS.flatMap(sizes);
  const flatParams = split(await readFloats(dir, 'params.bin', m.files['params.bin']), allSizes, 'params.bin');
  const params = {} as SacAgentState['params'];
  let k = 0;
  for (const g of PARAM_GROUPS) {
    params[g] = flatParams.slice(k, k + arch[g].length);
    k += arch[g].length;
  }
  const total = (g: ParamGroup): number => sizes(g).reduce((a, b) => a + b, 0);
  const adamSizes: Record<(typeof ADAM_GROUPS)[number], number> = {
    actor: total('actor'),
    critic: total('critic1') + total('critic2'),
    alpha: total('logAlpha'),
  };
  const flatAdam = split(await readFloats(dir, 'adam.bin', m.files['adam.bin']), ADAM_GROUPS.flatMap((g) => [adamSizes[g], adamSizes[g]]), 'adam.bin');
  const adam = {} as Record<(typeof ADAM_GROUPS)[number], AdamState>;
  ADAM_GROUPS.forEach((g, i) => {
    adam[g] = { t: m.adam[g].t, m: flatAdam[2 * i], v: flatAdam[2 * i + 1] };
  });
  // Read the replay rows before touching the agent, so a bad file changes nothing.
  let replayFields: Record<ReplayField, Float32Array> | null = null;
  if (opts.replay && m.replay !== null) {
    replayFields = {} as Record<ReplayField, Float32Array>;
    for (const f of REPLAY_FIELDS) replayFields[f] = await readFloats(dir, `replay-${f}.bin`, m.files[`replay-${f}.bin`]);
  }
  opts.agent.setState({ params, adam, rng: m.rng, updates: m.updates });
  if (replayFields !== null && m.replay !== null) opts.replay!.setState(m.replay, replayFields);
  return { manifest: m, loop: m.loop };
}
