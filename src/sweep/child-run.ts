/**
 * Run one training child process: stdout and stderr appended to a log file, resolves
 * with the exit code (never rejects on a crash; a crash is data for the scheduler).
 */
import { spawn } from 'node:child_process';
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

export function runChild(opts: ChildRunOptions): Promise<ChildResult> {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const startOffset = fileSize(opts.logFile);
  const fd = openSync(opts.logFile, 'a');
  return new Promise((resolve) => {
    const [cmd, ...prefix] = opts.command;
    const child = spawn(cmd, [...prefix, ...opts.args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
    });
    const onAbort = (): void => {
      child.kill('SIGINT');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const settle = (code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void => {
      if (settled) return;
      settled = true;
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
