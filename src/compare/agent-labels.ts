/** Display names and a stable order for agents in tables and legends. */

const KNOWN: Record<string, string> = { sac: 'SAC', 'sac-matched': 'SAC swish+LeCun', 'rpp-sac': 'RPP-SAC', 'emlp-sac': 'EMLP-SAC' };
const ORDER = ['sac', 'sac-matched', 'rpp-sac', 'emlp-sac'];

export function agentDisplayName(agent: string): string {
  return KNOWN[agent] ?? agent.toUpperCase();
}

export function seriesName(agent: string, gridLabel: string | null): string {
  return gridLabel ? `${agentDisplayName(agent)} (${gridLabel.split(',').join(', ')})` : agentDisplayName(agent);
}

/** sac, sac-matched, rpp-sac, emlp-sac first, then others (variants of a sweep file) alphabetically. */
export function compareAgents(a: string, b: string): number {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? ORDER.length : ia) - (ib < 0 ? ORDER.length : ib);
  return a.localeCompare(b);
}
