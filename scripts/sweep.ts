/** Thin entry point: `node --import tsx scripts/sweep.ts --env ... --agents ...` (same flags as `rpp-sac sweep`). */
import { Command } from 'commander';
import { register } from '../src/cli/sweep.js';

const program = new Command('rpp-sac');
register(program);
try {
  await program.parseAsync(['node', 'rpp-sac', 'sweep', ...process.argv.slice(2)]);
} catch (err) {
  // Bad input is reported as one clear line, not a stack trace.
  process.stderr.write(`rpp-sac sweep: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
