/**
 * Process guard between a queue worker and its training process:
 *   node child-guard.js <command> [args...]
 *
 * Why: if a worker dies hard (SIGKILL, OOM killer), its training child would
 * live on as an orphan and keep writing the run directory while BullMQ hands
 * the job to another worker, which resumes the same run: two writers. The
 * guard's stdin is a pipe from the worker; the kernel closes it when the
 * worker dies, and the guard then stops the training process. SIGTERM and
 * SIGINT are forwarded. The guard exits with the child's exit code.
 */
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: child-guard <command> [args...]\n');
  process.exit(2);
}
const graceMs = Number(process.env.RPP_SAC_GUARD_GRACE_MS ?? 10_000);

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

let killTimer: NodeJS.Timeout | undefined;
function stopChild(signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  killTimer ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
}

process.stdin.on('end', () => stopChild('SIGTERM'));
process.stdin.on('error', () => stopChild('SIGTERM'));
process.stdin.resume();
process.on('SIGTERM', () => stopChild('SIGTERM'));
process.on('SIGINT', () => stopChild('SIGINT'));

child.on('error', (error) => {
  process.stderr.write(`child-guard: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearTimeout(killTimer);
  process.exit(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15));
});
