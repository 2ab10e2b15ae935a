/** Thin entry point: `node --import tsx scripts/sweep.ts --env ... --agents ...` (same flags as `rpp-sac sweep`). */
import { Command } from 'commander';
import { register } from '../src/cli/sweep.js';

const program = new Command('rpp-sac');
register(program);
await program.parseAsync(['node', 'rpp-sac', 'sweep', ...process.argv.slice(2)]);
