/** Parse `redis://[user:password@]host[:port][/db]` (or rediss:// for TLS) into connection options. */

export interface RedisEndpoint {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** rediss:// */
  tls: boolean;
}

/**
 * The URL as it may be logged, printed or written to a file: user name and password
 * replaced by `***` (`redis://:***@host:6379/0`). Works on text that does not parse.
 */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/?#]*)@/, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    const user = colon < 0 ? auth : auth.slice(0, colon);
    return `${scheme}${user === '' ? '' : '***'}${colon < 0 ? '' : ':***'}@`;
  });
}

export function parseRedisUrl(url: string): RedisEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid --queue URL ${JSON.stringify(redactRedisUrl(url))}: expected redis://host:6379 (optionally redis://:password@host:6379/0)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`--queue ${redactRedisUrl(url)}: unsupported scheme ${parsed.protocol}; expected redis://host:6379 (or rediss:// for TLS)`);
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new Error(`--queue ${redactRedisUrl(url)}: database index ${JSON.stringify(dbText)} is not a non-negative integer`);
  }
  const endpoint: RedisEndpoint = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
    tls: parsed.protocol === 'rediss:',
  };
  if (parsed.username !== '') endpoint.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') endpoint.password = decodeURIComponent(parsed.password);
  return endpoint;
}
