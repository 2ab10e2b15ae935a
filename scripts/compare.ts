/** Thin entry point: `node --import tsx scripts/compare.ts <sweepDir> [--threshold X]` (same as `rpp-sac compare`). */
import { Command } from 'commander';
import { register } from '../src/cli/compare.js';

const program = new Command('rpp-sac');
register(program);
try {
  await program.parseAsync(['node', 'rpp-sac', 'compare', ...process.argv.slice(2)]);
} catch (err) {
  // Bad input is reported as one clear line, not a stack trace.
  process.stderr.write(`rpp-sac compare: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
