/** End a winston logger and wait (bounded) until its file transports have flushed. */
import winston from 'winston';
import type { Logger } from '../logging.js';

export async function closeLogger(logger: Logger, timeoutMs = 3000): Promise<void> {
  const files = logger.transports.filter((t) => t instanceof winston.transports.File);
  const finished = files.map((t) => new Promise<void>((resolve) => t.once('finish', () => resolve())));
  logger.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(finished), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
