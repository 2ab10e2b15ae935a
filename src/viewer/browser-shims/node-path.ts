/** Browser stand-in for the `node:path` functions envs/mujoco-loader.ts uses (POSIX rules, enough for URL paths). */
function normalize(parts: string[]): string {
  const out: string[] = [];
  for (const p of parts.join('/').split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

export const join = (...parts: string[]): string => normalize(parts);
export const resolve = (...parts: string[]): string => normalize(parts);
export const isAbsolute = (p: string): boolean => p.startsWith('/');
export function dirname(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
