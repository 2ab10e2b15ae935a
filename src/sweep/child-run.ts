/**
 * Run one training child process: stdout and stderr appended to a log file, resolves
 * with the exit code (never rejects on a crash; a crash is data for the scheduler).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ChildResult {
  /** Exit code, or null if killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines of the child's output, for error messages. */
  tail: string;
  /** Set when the process could not be started at all. */
  spawnError?: string;
}

export interface ChildRunOptions {
  command: string[];
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting sends SIGINT so the trainer can write its checkpoint and status 'interrupted'. */
  signal?: AbortSignal;
}

/** Children still running; if the sweep process exits anyway (a bug, an uncaught error), they get one SIGTERM so they checkpoint instead of running on orphaned. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGTERM');
  });
}

export function runChild(opts: ChildRunOptions): Promise<ChildResult> {
  installExitHook();
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const startOffset = fileSize(opts.logFile);
  const fd = openSync(opts.logFile, 'a');
  return new Promise((resolve) => {
    const [cmd, ...prefix] = opts.command;
    // Own process group: a Ctrl-C in the terminal reaches only the sweep, which forwards
    // exactly one SIGINT. Trainers treat a second SIGINT as "exit now, skip the final
    // checkpoint", which is what the terminal's signal plus ours would amount to.
    const child = spawn(cmd, [...prefix, ...opts.args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    live.add(child);
    const onAbort = (): void => {
      child.kill('SIGINT');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const settle = (code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void => {
      if (settled) return;
      settled = true;
      live.delete(child);
      opts.signal?.removeEventListener('abort', onAbort);
      closeSync(fd);
      const result: ChildResult = { code, signal, tail: readTail(opts.logFile, startOffset, 20) };
      if (spawnError !== undefined) result.spawnError = spawnError;
      resolve(result);
    };
    // A command that cannot start (ENOENT, EACCES) emits 'error' and may never emit 'close'.
    child.on('error', (err) => settle(null, null, err.message));
    child.on('close', (code, signal) => settle(code, signal));
  });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readTail(path: string, fromOffset: number, lines: number): string {
  try {
    const text = readFileSync(path).subarray(fromOffset).toString('utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
