/**
 * The command that starts one training run. Default: this package's own CLI
 * (`rpp-sac train ...`) run by the current node binary; tests and users can inject any
 * other command prefix (e.g. a fake trainer, or `npx rpp-sac`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Parse RPP_SAC_TRAIN_COMMAND / --train-command: a JSON array of strings, or a
 * whitespace-separated command line (no quoting rules).
 */
export function parseTrainCommand(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || parsed.length === 0 || parsed.some((p) => typeof p !== 'string')) {
      throw new Error(`Train command ${trimmed} must be a non-empty JSON array of strings`);
    }
    return parsed as string[];
  }
  const parts = trimmed.split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error('Train command is empty; give e.g. "node dist/src/cli/main.js"');
  return parts;
}

/** node + the CLI entry next to this module (compiled main.js, or main.ts through tsx in a source checkout). */
export function defaultTrainCommand(): string[] {
  const fromEnv = process.env.RPP_SAC_TRAIN_COMMAND;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseTrainCommand(fromEnv);
  const js = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  if (existsSync(js)) return [process.execPath, js];
  const ts = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
  if (existsSync(ts)) return [process.execPath, '--import', tsxLoader(), ts];
  throw new Error(`Cannot find the rpp-sac CLI entry (looked for ${js} and ${ts}); pass --train-command or set RPP_SAC_TRAIN_COMMAND`);
}

/** tsx's loader as an absolute URL, so children find it whatever their working directory. */
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}
