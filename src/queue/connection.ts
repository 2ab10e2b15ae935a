/** Open a Redis connection for bullmq from a `redis://host:port[/db]` URL. */
import { RespRedisClient } from './redis-client.js';
import { parseRedisUrl } from './redis-url.js';

/** A new, auto-connecting client. The caller owns it and must `quit()` it. */
export function openRedis(queueUrl: string): RespRedisClient {
  return new RespRedisClient(parseRedisUrl(queueUrl));
}

/** Connect and PING, failing with a message that names the URL instead of retrying forever. */
export async function openRedisChecked(queueUrl: string, timeoutMs = 10_000): Promise<RespRedisClient> {
  const client = openRedis(queueUrl);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.call('PING'),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Cannot reach Redis at ${queueUrl} within ${timeoutMs} ms: is redis-server running and listening on that address (see scripts/redis.sh)?`)),
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
