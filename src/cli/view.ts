/**
 * `rpp-sac view <runDir>`: a browser viewer for a run's policy and recorded episodes.
 * Serves the page on 127.0.0.1 (a free port unless --port) and prints the address; opens
 * nothing. `--export <dir>` writes the same files as a static folder instead.
 * Registered on the main program by src/cli/main.ts through `register(program)`.
 */
import { Command, InvalidArgumentError } from 'commander';

interface ViewCliOptions {
  export?: string;
  recording?: string;
  port?: number;
}

export function register(program: Command): Command {
  return program
    .command('view')
    .description(
      "Watch a run's policy in the browser (MuJoCo WebAssembly + tfjs + three.js in the page): play/pause, step, reset with a seed, speed, " +
        'deterministic or stochastic actions, a mirror view with the live equivariance error, and playback of `eval --record` files. ' +
        'Serves on 127.0.0.1 and prints the address; --export writes a static folder instead.',
    )
    .argument('<runDir>', 'run directory (from `npx rpp-sac train`) with policy/ exported')
    .option('--recording <file>', 'a file from `npx rpp-sac eval <run> --record <file>` to play back')
    .option('--export <dir>', 'write a static site (index.html, app.js, wasm, model XML, policy, recording) to <dir> and exit')
    .option('--port <n>', 'port to listen on (default: a free one)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
      return n;
    })
    .action(async (runDir: string, opts: ViewCliOptions) => {
      const { buildViewSite, exportSite } = await import('../viewer/view-site.js');
      const { files } = await buildViewSite({ runDir, ...(opts.recording === undefined ? {} : { recording: opts.recording }) });
      if (opts.export !== undefined) {
        exportSite(files, opts.export);
        process.stdout.write(`wrote ${files.size} files to ${opts.export}; serve that folder with any static web server and open index.html\n`);
        return;
      }
      const { serveSite } = await import('../viewer/view-server.js');
      const { url } = await serveSite(files, opts.port ?? 0);
      process.stdout.write(`rpp-sac view: serving ${runDir} at ${url} (127.0.0.1 only; Ctrl-C to stop)\n`);
      await new Promise<never>(() => {
        // serve until interrupted
      });
    });
}
