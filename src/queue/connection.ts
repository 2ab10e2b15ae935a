/** Open an ioredis connection for bullmq from a `redis://host:port[/db]` URL. */
import { Redis } from 'ioredis';
import { getDefaultLogger, type Logger } from '../logging.js';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';

/**
 * A new, auto-connecting client; the caller owns it and must `quit()` it.
 * bullmq needs `maxRetriesPerRequest: null` so blocking commands wait through
 * reconnects instead of failing. We build the client ourselves because bullmq
 * cannot load ioredis by itself from native ESM.
 */
export function openRedis(queueUrl: string, logger: Logger = getDefaultLogger()): Redis {
  const { host, port, db, username, password, tls } = parseRedisUrl(queueUrl);
  const client = new Redis({ host, port, db, username, password, ...(tls ? { tls: {} } : {}), maxRetriesPerRequest: null });
  // Without a listener ioredis prints every reconnect failure to stderr; route it through winston.
  client.on('error', (error: Error) => logger.debug('redis connection error', { url: redactRedisUrl(queueUrl), error: error.message }));
  return client;
}

/** Connect and PING, failing with a message that names the URL instead of retrying forever. */
export async function openRedisChecked(queueUrl: string, opts: { timeoutMs?: number; logger?: Logger } = {}): Promise<Redis> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const client = openRedis(queueUrl, opts.logger);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Cannot reach Redis at ${redactRedisUrl(queueUrl)} within ${timeoutMs} ms: is redis-server running and listening on that address (see scripts/redis.sh)?`)),
          timeoutMs,
        );
      }),
    ]);
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
