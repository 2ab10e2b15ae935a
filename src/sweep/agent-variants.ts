/**
 * Named agent variants: one agent kind (sac, rpp-sac, emlp-sac) run with extra `train` flags
 * under a name of its own. A sweep lists a variant in `agents` like a kind; its runs are
 * planned into `<env>/<name>/seed-<n>` and `compare` shows them as their own group, so one
 * sweep can hold the same kind twice with different settings.
 *
 * Built in: `sac-matched`, plain SAC whose actor takes the RPP networks' activation and init
 * (swish, LeCun normal). RPP-SAC's critics are plain relu/orthogonal MLPs (the paper's), so
 * sac-matched differs from RPP-SAC only in the actor's prior (and EMLP-SAC only in its
 * constraint). A sweep file defines more under `variants:` (runs/README.md).
 */
import { AGENT_KINDS } from '../../agents/sac-config.js';

export interface AgentVariant {
  /** The agent kind trained (`--agent`). */
  agent: string;
  /** Extra `train` flags, after the sweep's trainArgs (so they win over them). */
  trainArgs: string[];
  /** One line for sweep.json and --help. */
  description?: string;
}

export const BUILTIN_VARIANTS: Readonly<Record<string, AgentVariant>> = {
  'sac-matched': {
    agent: 'sac',
    trainArgs: ['--actor-activation', 'swish', '--actor-init', 'lecun'],
    description: "SAC whose plain actor takes the RPP networks' swish and LeCun init (critics as RPP-SAC's: relu, orthogonal): differs from RPP-SAC only in the actor's prior",
  },
};

/** Flags a sweep sets itself for every run; a variant may not set them. */
const PLANNED_FLAGS = ['--agent', '--env', '--seed', '--steps', '--out'];

/**
 * The kind or variant behind every name in `agents`: kinds map to themselves (no flags),
 * variants come from `defined` (a sweep file's `variants`) or the built-ins. Throws on an
 * unknown name or a malformed variant, naming it and the choices.
 */
export function resolveAgents(agents: readonly string[], defined: Readonly<Record<string, AgentVariant>> = {}): Record<string, AgentVariant> {
  const kinds = AGENT_KINDS as readonly string[];
  for (const [name, v] of Object.entries(defined)) {
    if (kinds.includes(name)) throw new Error(`Variant "${name}" has the name of an agent kind; give it another name (e.g. ${name}-x)`);
    if (!/^[a-z0-9][a-z0-9._+-]*$/.test(name)) throw new Error(`Variant name "${name}" must be lower-case letters, digits and . _ + - (it names a directory)`);
    if (!kinds.includes(v.agent)) throw new Error(`Variant "${name}": agent "${v.agent}" is not an agent kind (${kinds.join(', ')})`);
    const planned = v.trainArgs.filter((a) => PLANNED_FLAGS.includes(a.split('=')[0]));
    if (planned.length > 0) throw new Error(`Variant "${name}" sets ${planned.join(', ')}, which the sweep plans for every run; list the kind in agents, or the value in the sweep's env/seeds/steps`);
  }
  const known = { ...BUILTIN_VARIANTS, ...defined };
  const out: Record<string, AgentVariant> = {};
  for (const a of agents) {
    if (kinds.includes(a)) out[a] = { agent: a, trainArgs: [] };
    else if (known[a] !== undefined) out[a] = known[a];
    else throw new Error(`Unknown agent "${a}": use a kind (${kinds.join(', ')}) or a variant (${Object.keys(known).join(', ')}; more under variants: in a sweep file)`);
  }
  return out;
}
