/** src/run/progress.ts: with a progress bar drawn, a log line clears the bar's line first and the bar is drawn again after it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logging.js';
import { ProgressReporter } from '../src/run/progress.js';

test('a log line printed under a TTY progress bar is not glued onto the bar', () => {
  const writes: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        writes.push(chunk.toString());
        cb();
      },
    }),
    { isTTY: true, columns: 120 },
  );
  const logger = createLogger({ level: 'info', silent: false });
  const realWrite = process.stderr.write.bind(process.stderr);
  const logged: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => {
    logged.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const progress = new ProgressReporter({ totalSteps: 100, startStep: 0, logger, bar: true, stream });
    progress.update({ step: 10, lastEvalReturn: null, updates: 0 });
    const before = writes.length;
    logger.info('eval step 10: return 1.0');
    const after = writes.slice(before).join('');
    progress.stop();
    assert.ok(logged.some((l) => l.includes('eval step 10')), 'the log line was printed');
    assert.match(after, /^\r\x1b\[K/, 'the bar line is cleared before the log line');
    assert.match(after, /train \|/, 'the bar is drawn again after the log line');
  } finally {
    process.stderr.write = realWrite;
  }
});
