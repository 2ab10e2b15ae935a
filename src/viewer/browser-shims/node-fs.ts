/**
 * Browser stand-in for `node:fs` in the viewer bundle. envs/mujoco-loader.ts reads the
 * MJCF with readFileSync and finds the package root with existsSync; in the page the
 * model files are fetched first and handed over with provideFile, keyed by file name
 * (the page may be served under any path). Only what mujoco-loader uses is here.
 */
const files = new Map<string, string>();

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Make `name` (e.g. 'swimmer.xml') readable by readFileSync under any directory. */
export function provideFile(name: string, text: string): void {
  files.set(baseName(name), text);
}

export function existsSync(path: string): boolean {
  // packageRoot() looks for package.json above the bundle's URL: the page's own folder is the root.
  return path.endsWith('/package.json') || files.has(baseName(path));
}

export function readFileSync(path: string, _encoding?: string): string {
  const text = files.get(baseName(path));
  if (text === undefined) throw new Error(`viewer: ${path} was not fetched before use (provideFile).`);
  return text;
}
