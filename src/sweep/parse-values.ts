/**
 * Parsers for the compact value syntax of the sweep CLI and config files:
 * seeds "0-4" or "0,2,7", step counts "3e5", lists "sac,rpp-sac", grid axes "equiv_wd=1e-6,1e-4".
 */

/** "0-4" -> [0..4], "0,2,7" -> [0,2,7], "0-2,9" -> [0,1,2,9]; numbers and number arrays pass through. */
export function parseSeeds(spec: string | number | readonly number[]): number[] {
  if (typeof spec === 'number') return [checkSeed(spec, String(spec))];
  if (Array.isArray(spec)) return dedupe(spec.map((s) => checkSeed(s, String(s))));
  const out: number[] = [];
  for (const part of String(spec).split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const lo = Number(range[1]);
      const hi = Number(range[2]);
      if (hi < lo) throw new Error(`Seed range "${part}" runs backwards; write it as "${hi}-${lo}"`);
      for (let s = lo; s <= hi; s++) out.push(s);
    } else {
      out.push(checkSeed(Number(part), part));
    }
  }
  if (out.length === 0) throw new Error(`No seeds in "${String(spec)}"; use e.g. "0-4" or "0,1,2"`);
  return dedupe(out);
}

function checkSeed(s: number, text: string): number {
  if (!Number.isInteger(s) || s < 0) throw new Error(`Seed "${text}" is not a non-negative integer; use e.g. --seeds 0-4 or --seeds 0,3,5`);
  return s;
}

function dedupe(xs: number[]): number[] {
  return [...new Set(xs)];
}

/** "3e5" / "300000" / "300_000" -> 300000; must be a positive integer. */
export function parseSteps(spec: string | number): number {
  const n = typeof spec === 'number' ? spec : Number(String(spec).replace(/_/g, ''));
  if (!Number.isFinite(n) || !Number.isInteger(n) || n <= 0) {
    throw new Error(`Step count "${String(spec)}" is not a positive integer; use e.g. --steps 3e5 or --steps 300000`);
  }
  return n;
}

/** "sac, rpp-sac" -> ["sac", "rpp-sac"]; arrays pass through. */
export function parseList(spec: string | readonly string[], what: string): string[] {
  const items = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new Error(`No ${what} given; pass a comma-separated list`);
  return [...new Set(items)];
}

/** One grid axis from the CLI: "equiv_wd=1e-6,1e-4" -> ["equiv_wd", [1e-6, 1e-4]]. */
export function parseGridAxis(spec: string): [string, number[]] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`Grid axis "${spec}" must look like name=v1,v2 (e.g. equiv_wd=1e-6,1e-4)`);
  const name = spec.slice(0, eq).trim();
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) throw new Error(`Grid axis name "${name}" must be a hyperparameter name like equiv_wd or basicWd`);
  const values = spec
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0)
    .map((v) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`Grid value "${v}" for ${name} is not a number`);
      return n;
    });
  if (values.length === 0) throw new Error(`Grid axis "${spec}" has no values; give e.g. ${name}=1e-6,1e-4`);
  return [name, [...new Set(values)]];
}

/** Short, stable text for a number in directory names and flags: 1e-6 not 0.000001, 3e5 not 300000. */
export function formatNumber(v: number): string {
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential().replace('e+', 'e');
  return String(v);
}

/**
 * A wall-clock duration in seconds: "2h45m", "90m", "1.5h", "45s", "3600" (bare numbers are
 * seconds). Must be positive.
 */
export function parseDuration(spec: string | number): number {
  const text = String(spec).trim();
  const bare = Number(text);
  let sec = Number.NaN;
  if (text !== '' && Number.isFinite(bare)) sec = bare;
  else if (/^(\d+(\.\d+)?[hms])+$/.test(text)) {
    const unit: Record<string, number> = { h: 3600, m: 60, s: 1 };
    sec = [...text.matchAll(/(\d+(?:\.\d+)?)([hms])/g)].reduce((acc, m) => acc + Number(m[1]) * unit[m[2]!]!, 0);
  }
  if (!(sec > 0)) throw new Error(`Duration "${text}" is not a positive time; use e.g. 2h45m, 90m, 1.5h or 3600 (seconds)`);
  return sec;
}
