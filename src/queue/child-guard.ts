/**
 * Process guard between a queue worker and its training process:
 *   node child-guard.js <command> [args...]
 *
 * Why: if a worker dies hard (SIGKILL, OOM killer), its training child would
 * live on as an orphan and keep writing the run directory while BullMQ hands
 * the job to another worker, which resumes the same run: two writers. The
 * guard's stdin is a pipe from the worker; the kernel closes it when the
 * worker dies, and the guard then stops the training process. SIGTERM and
 * SIGINT to the guard stop it too. "Stop" means SIGINT, which makes
 * `rpp-sac train` write a checkpoint and status 'interrupted' (as a local
 * sweep does), then SIGKILL after RPP_SAC_GUARD_GRACE_MS (default 20 s, well
 * under the job lock's 60 s, so the run is quiet before anyone takes it over).
 * The guard exits with the child's exit code (128 + signal number if killed).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: child-guard <command> [args...]\n');
  process.exit(2);
}
const graceMs = Number(process.env.RPP_SAC_GUARD_GRACE_MS ?? 20_000);

// The child's output goes through the guard, not straight to the worker's pipes: once the
// worker is dead those pipes are broken, and a trainer writing its "stopping, writing a final
// checkpoint" line into a broken pipe would die of EPIPE before the checkpoint is written.
const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
let workerAlive = true;
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
child.stdout!.on('data', (chunk: Buffer) => {
  if (workerAlive) process.stdout.write(chunk);
});
child.stderr!.on('data', (chunk: Buffer) => {
  if (workerAlive) process.stderr.write(chunk);
});

let killTimer: NodeJS.Timeout | undefined;
function stopChild(): void {
  if (child.exitCode !== null || child.signalCode !== null || killTimer) return;
  child.kill('SIGINT');
  killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
}

function workerGone(): void {
  workerAlive = false;
  stopChild();
}

process.stdin.on('end', workerGone);
process.stdin.on('error', workerGone);
process.stdin.resume();
process.on('SIGTERM', stopChild);
process.on('SIGINT', stopChild);

child.on('error', (error) => {
  process.stderr.write(`child-guard: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
// 'close', not 'exit': the child's last output lines are forwarded before the guard exits.
child.on('close', (code, signal) => {
  clearTimeout(killTimer);
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});
