/**
 * Series colours: Vega's tableau10 scheme, assigned in a fixed series order so an agent
 * has the same colour in every figure of a report.
 */
export const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

export function colorsFor(seriesOrder: readonly string[]): Map<string, string> {
  return new Map(seriesOrder.map((s, i) => [s, TABLEAU10[i % TABLEAU10.length]]));
}
