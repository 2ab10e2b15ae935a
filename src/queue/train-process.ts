/**
 * Start the training command for one run (through child-guard) and wait for
 * it, calling `onTick` periodically so the worker can report progress.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunJob } from './run-job.js';

/** This module's extension: '.ts' under tsx, '.js' once compiled; siblings share it. */
const ownExt = path.extname(fileURLToPath(import.meta.url));

function sibling(relative: string): string {
  return fileURLToPath(new URL(relative + ownExt, import.meta.url));
}

/** `node [--import tsx] <rpp-sac cli main>`, the same way this process was started. */
export function defaultTrainCommand(): string[] {
  return [process.execPath, ...process.execArgv, sibling('../cli/main')];
}

/** The command line of one attempt: `train <args> --out <runDir>` or `resume <runDir>`. */
export function trainInvocation(trainCommand: readonly string[], job: RunJob, runDir: string, resume: boolean): string[] {
  return resume ? [...trainCommand, 'resume', runDir] : [...trainCommand, 'train', ...job.args, '--out', runDir];
}

export interface TrainExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Last few KB of the child's stdout+stderr, for error messages. */
  outputTail: string;
}

export interface GuardedProcess {
  pid: number | undefined;
  /** Ask the training process to stop (SIGINT through the guard so it checkpoints, SIGKILL after the guard's grace period). */
  stop(): void;
  done: Promise<TrainExit>;
}

const TAIL_BYTES = 4096;

export function startGuarded(argv: readonly string[], opts: { onTick?: () => Promise<void>; tickMs?: number; onOutput?: (text: string) => void } = {}): GuardedProcess {
  const [command, ...args] = argv;
  if (!command) throw new Error('Empty training command: pass trainCommand, e.g. ["node", "dist/src/cli/main.js"]');
  const guard = spawn(process.execPath, [...process.execArgv, sibling('./child-guard'), command, ...args], {
    // stdin stays open for the guard's lifetime: its EOF means this worker died.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let tail = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    opts.onOutput?.(text);
    tail = (tail + text).slice(-TAIL_BYTES);
  };
  guard.stdout.on('data', collect);
  guard.stderr.on('data', collect);

  let ticking: Promise<void> = Promise.resolve();
  const timer = opts.onTick
    ? setInterval(() => {
        // One tick at a time: a slow NFS read must not pile up calls.
        ticking = ticking.then(() => opts.onTick!()).catch(() => undefined);
      }, opts.tickMs ?? 5000)
    : undefined;

  const done = new Promise<TrainExit>((resolve) => {
    guard.on('error', (error) => {
      tail += `\ncannot start the training guard: ${error.message}`;
    });
    guard.on('close', (exitCode, signal) => {
      if (timer) clearInterval(timer);
      guard.stdin.destroy();
      void ticking.then(() => resolve({ exitCode, signal, outputTail: tail }));
    });
  });

  return {
    pid: guard.pid,
    stop: () => {
      if (guard.exitCode === null && guard.signalCode === null) guard.kill('SIGTERM');
    },
    done,
  };
}
