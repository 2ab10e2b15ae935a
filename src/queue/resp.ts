/**
 * RESP2, the Redis wire protocol: encode commands, parse replies from a byte
 * stream. Pure and synchronous so it can be tested without a server.
 *
 * Why this exists: bullmq 6 no longer bundles a Redis driver (ioredis and
 * node-redis are optional peers and neither is a dependency of rpp-sac), so
 * src/queue/redis-client.ts speaks the protocol itself through this module.
 */

/** An error reply from the server (`-ERR ...`, `-NOSCRIPT ...`). Inside EXEC results it is a value, not a throw. */
export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
  }
}

export type RespValue = string | number | null | RespError | RespValue[];

export type RespArg = string | number | Buffer;

/** Encode one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Marker for "not enough bytes yet". */
const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: RespValue; end: number } | typeof INCOMPLETE;

/**
 * Incremental reply parser: `push` bytes as they arrive, get back every reply
 * completed so far. Bulk strings decode as UTF-8 (as ioredis does by default).
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RespValue[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: RespValue[] = [];
    let offset = 0;
    for (;;) {
      const parsed = parseAt(this.buffer, offset);
      if (parsed === INCOMPLETE) break;
      replies.push(parsed.value);
      offset = parsed.end;
    }
    this.buffer = offset === 0 ? this.buffer : this.buffer.subarray(offset);
    return replies;
  }

  /** Drop partial bytes (after the socket closed mid-reply). */
  reset(): void {
    this.buffer = Buffer.alloc(0);
  }
}

function parseAt(buf: Buffer, offset: number): Parsed {
  if (offset >= buf.length) return INCOMPLETE;
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return INCOMPLETE;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: afterLine };
    case '-':
      return { value: new RespError(line), end: afterLine };
    case ':':
      return { value: Number(line), end: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: afterLine };
      const end = afterLine + length + 2;
      if (buf.length < end) return INCOMPLETE;
      return { value: buf.toString('utf8', afterLine, afterLine + length), end };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: afterLine };
      const items: RespValue[] = [];
      let cursor = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, cursor);
        if (item === INCOMPLETE) return INCOMPLETE;
        items.push(item.value);
        cursor = item.end;
      }
      return { value: items, end: cursor };
    }
    default:
      throw new Error(`RESP protocol error: unexpected reply type byte ${JSON.stringify(type)}; is the --queue URL pointing at a Redis server?`);
  }
}
