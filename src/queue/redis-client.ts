/**
 * A small Redis client over node:net implementing bullmq's `IRedisClient`
 * contract, so bullmq 6 runs without ioredis or node-redis (neither is a
 * dependency of rpp-sac). Reply shapes follow ioredis, which is what bullmq
 * was written against: integers as numbers, bulk strings as UTF-8 strings,
 * `[err, value]` pairs from pipelines and transactions.
 *
 * Scope: one standalone Redis server (no Cluster, no Sentinel, no TLS).
 * Auto-connects on construction and reconnects with capped backoff when the
 * socket drops, like ioredis; commands sent while disconnected wait in an
 * offline queue.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Readable } from 'node:stream';
import { ConnectionClosedError, type IRedisClient, type IRedisTransaction } from 'bullmq';
import { encodeCommand, RespError, RespParser, type RespArg, type RespValue } from './resp.js';
import type { RedisEndpoint } from './redis-url.js';

export interface RedisClientOptions extends RedisEndpoint {
  /** Sent as CLIENT SETNAME after connecting (bullmq names its worker connections). */
  connectionName?: string;
  /** Delay before reconnect attempt `n` (1-based) in ms; default max(1000, min(e^n, 20000)) as bullmq's ioredis default. */
  retryDelayMs?: (attempt: number) => number;
}

interface Pending {
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
}

interface ScriptDef {
  sha: string;
  lua: string;
  numberOfKeys: number;
}

type Status = 'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'end';

function defaultRetryDelay(attempt: number): number {
  return Math.max(Math.min(Math.exp(attempt), 20000), 1000);
}

function toArg(a: unknown): RespArg {
  if (Buffer.isBuffer(a)) return a;
  if (a === undefined || a === null) return '';
  return typeof a === 'number' ? a : String(a);
}

function pairsToRecord(flat: RespValue): Record<string, string> {
  const record: Record<string, string> = {};
  if (!Array.isArray(flat)) return record;
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = String(flat[i + 1]);
  return record;
}

/** Script arguments arrive either as varargs or as one array (bullmq passes both forms). */
function scriptArgs(args: unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
}

export class RespRedisClient extends EventEmitter implements IRedisClient {
  readonly isCluster = false;
  options: Record<string, any>;
  private statusValue: Status = 'wait';
  private socket: net.Socket | undefined;
  private readonly parser = new RespParser();
  /** Replies are matched to commands in send order. */
  private readonly pending: Pending[] = [];
  /** Commands issued before the connection is ready. */
  private offline: { bytes: Buffer; pending: Pending[] }[] = [];
  private readonly scripts = new Map<string, ScriptDef>();
  /** SHAs known to be in this server's script cache (reset on reconnect). */
  private loadedShas = new Set<string>();
  private manuallyClosed = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectPromise: Promise<void> | undefined;

  constructor(opts: RedisClientOptions) {
    super();
    this.options = { ...opts };
    void this.connect().catch(() => {
      // Connection errors surface through 'error' events and the reconnect loop.
    });
  }

  get status(): string {
    return this.statusValue;
  }
  /** bullmq sets 'end' after quit() ("as ioredis does not update this status properly"). */
  set status(value: string) {
    this.statusValue = value as Status;
  }

  // ---------------------------------------------------------------- connection

  connect(): Promise<void> {
    if (this.statusValue === 'ready') return Promise.resolve();
    if (this.connectPromise) return this.connectPromise;
    this.manuallyClosed = false;
    this.connectPromise = new Promise<void>((resolve, reject) => {
      this.statusValue = this.attempts > 0 ? 'reconnecting' : 'connecting';
      const socket = net.createConnection({ host: this.options.host as string, port: this.options.port as number });
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10_000);
      this.socket = socket;
      let settled = false;
      socket.once('connect', () => {
        this.statusValue = 'connect';
        this.emit('connect');
        this.handshake().then(
          () => {
            this.attempts = 0;
            this.statusValue = 'ready';
            settled = true;
            this.connectPromise = undefined;
            this.flushOffline();
            this.emit('ready');
            resolve();
          },
          (error: Error) => {
            settled = true;
            this.connectPromise = undefined;
            this.emitError(error);
            reject(error);
            socket.destroy();
          },
        );
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (error: Error) => {
        if (!settled) {
          settled = true;
          this.connectPromise = undefined;
          reject(error);
        }
        this.emitError(error);
      });
      socket.once('close', () => this.onSocketClose(socket));
    });
    return this.connectPromise;
  }

  /** AUTH, SELECT and CLIENT SETNAME go straight to the socket, ahead of the offline queue. */
  private async handshake(): Promise<void> {
    const opts = this.options as RedisClientOptions;
    const steps: RespArg[][] = [];
    if (opts.password !== undefined) steps.push(opts.username !== undefined ? ['AUTH', opts.username, opts.password] : ['AUTH', opts.password]);
    if (opts.db) steps.push(['SELECT', opts.db]);
    if (opts.connectionName) steps.push(['CLIENT', 'SETNAME', opts.connectionName]);
    this.loadedShas = new Set();
    for (const step of steps) {
      const reply = await this.writeNow(step);
      if (reply instanceof RespError) throw new Error(`Redis rejected ${String(step[0])}: ${reply.message}`);
    }
  }

  private writeNow(args: RespArg[]): Promise<RespValue> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket!.write(encodeCommand(args));
    });
  }

  private onData(chunk: Buffer): void {
    let replies: RespValue[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.emitError(error as Error);
      this.socket?.destroy();
      return;
    }
    for (const reply of replies) {
      const waiter = this.pending.shift();
      waiter?.resolve(reply);
    }
  }

  private onSocketClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.parser.reset();
    const failed = this.pending.splice(0);
    for (const waiter of failed) waiter.reject(new ConnectionClosedError());
    this.emit('close');
    if (this.manuallyClosed || this.statusValue === 'end') {
      this.finishEnd();
      return;
    }
    this.attempts += 1;
    this.statusValue = 'reconnecting';
    const delay = ((this.options as RedisClientOptions).retryDelayMs ?? defaultRetryDelay)(this.attempts);
    this.emit('reconnecting', delay);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connectPromise = undefined;
      void this.connect().catch(() => undefined);
    }, delay);
  }

  private finishEnd(): void {
    this.statusValue = 'end';
    const queued = this.offline.splice(0);
    for (const entry of queued) for (const waiter of entry.pending) waiter.reject(new ConnectionClosedError());
    this.emit('end');
  }

  private flushOffline(): void {
    const queued = this.offline.splice(0);
    for (const entry of queued) {
      this.pending.push(...entry.pending);
      this.socket!.write(entry.bytes);
    }
  }

  private emitError(error: Error): void {
    // An 'error' event without listeners would crash the process; bullmq attaches one.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  disconnect(reconnect = false): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (reconnect) {
      this.socket?.destroy();
      return;
    }
    this.manuallyClosed = true;
    if (this.socket) {
      // destroy() interrupts blocking commands such as BZPOPMIN; 'end' follows from onSocketClose.
      this.socket.destroy();
    } else if (this.statusValue !== 'end') {
      setImmediate(() => this.finishEnd());
    }
  }

  async quit(): Promise<string> {
    this.manuallyClosed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.socket && this.statusValue === 'ready') {
      try {
        await this.writeNow(['QUIT']);
      } catch {
        // The server closes the socket right after +OK; a reset is fine too.
      }
      this.socket?.end();
    } else {
      this.disconnect();
    }
    return 'OK';
  }

  duplicate(...args: any[]): IRedisClient {
    const overrides = (args[0] ?? {}) as Partial<RedisClientOptions>;
    const copy = new RespRedisClient({ ...(this.options as RedisClientOptions), ...overrides });
    for (const [name, def] of this.scripts) copy.defineCommand(name, { numberOfKeys: def.numberOfKeys, lua: def.lua });
    return copy;
  }

  // ---------------------------------------------------------------- commands

  /** Send one command; error replies reject. */
  async call(...args: RespArg[]): Promise<RespValue> {
    const reply = await this.send([args]).then((r) => r[0]!);
    if (reply instanceof RespError) throw reply;
    return reply;
  }

  /** Write several commands back to back (one write), resolving with their raw replies in order. */
  send(commands: RespArg[][]): Promise<RespValue[]> {
    if (this.statusValue === 'end') return Promise.reject(new ConnectionClosedError());
    const promises: Promise<RespValue>[] = [];
    const waiters: Pending[] = [];
    for (let i = 0; i < commands.length; i++) {
      promises.push(new Promise<RespValue>((resolve, reject) => waiters.push({ resolve, reject })));
    }
    const bytes = Buffer.concat(commands.map((c) => encodeCommand(c)));
    if (this.statusValue === 'ready' && this.socket) {
      this.pending.push(...waiters);
      this.socket.write(bytes);
    } else {
      this.offline.push({ bytes, pending: waiters });
    }
    return Promise.all(promises);
  }

  defineCommand(name: string, definition: { numberOfKeys: number; lua: string; readOnly?: boolean }): void {
    const sha = createHash('sha1').update(definition.lua).digest('hex');
    this.scripts.set(name, { sha, lua: definition.lua, numberOfKeys: definition.numberOfKeys });
    // bullmq's ScriptLoader checks `client[name]` to see whether a command is defined.
    (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => this.runCommand(name, args);
  }

  /** The EVALSHA arguments for a registered script. */
  scriptCall(name: string, args: unknown[]): { def: ScriptDef; argv: RespArg[] } {
    const def = this.scripts.get(name);
    if (!def) throw new Error(`Redis script "${name}" was not defined on this connection`);
    const list = scriptArgs(args);
    return { def, argv: [def.numberOfKeys, ...list.map(toArg)] };
  }

  async runCommand(name: string, args: any[]): Promise<any> {
    const { def, argv } = this.scriptCall(name, args);
    try {
      return await this.call('EVALSHA', def.sha, ...argv);
    } catch (error) {
      if (error instanceof RespError && error.message.startsWith('NOSCRIPT')) {
        // EVAL also stores the script in the server cache for next time.
        const reply = await this.call('EVAL', def.lua, ...argv);
        this.loadedShas.add(def.sha);
        return reply;
      }
      throw error;
    }
  }

  /** Make sure the server knows these scripts before EVALSHA runs inside MULTI (NOSCRIPT there would break atomicity). */
  async ensureScripts(defs: ScriptDef[]): Promise<void> {
    const missing = [...new Map(defs.filter((d) => !this.loadedShas.has(d.sha)).map((d) => [d.sha, d])).values()];
    if (missing.length === 0) return;
    const replies = await this.send(missing.map((d) => ['SCRIPT', 'LOAD', d.lua]));
    replies.forEach((reply, i) => {
      if (reply instanceof RespError) throw reply;
      this.loadedShas.add(missing[i]!.sha);
    });
  }

  multi(): IRedisTransaction {
    return new RespTransaction(this, true);
  }

  pipeline(): IRedisTransaction {
    return new RespTransaction(this, false);
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    return pairsToRecord(await this.call('HGETALL', key));
  }
  async hget(key: string, field: string): Promise<string | null> {
    return (await this.call('HGET', key, field)) as string | null;
  }
  async hmget(key: string, ...fields: string[]): Promise<(string | null)[]> {
    return (await this.call('HMGET', key, ...fields)) as (string | null)[];
  }
  async hset(key: string, data: Record<string, string | number> | string, ...rest: (string | number)[]): Promise<number> {
    const flat: RespArg[] = typeof data === 'string' ? [data, ...rest] : Object.entries(data).flat();
    return (await this.call('HSET', key, ...flat)) as number;
  }
  async hdel(key: string, ...fields: string[]): Promise<number> {
    return (await this.call('HDEL', key, ...fields)) as number;
  }
  async hexists(key: string, field: string): Promise<number> {
    return (await this.call('HEXISTS', key, field)) as number;
  }
  async get(key: string): Promise<string | null> {
    return (await this.call('GET', key)) as string | null;
  }
  async set(key: string, value: string | number, options?: { PX?: number; EX?: number }): Promise<string | null> {
    const extra: RespArg[] = options?.PX != null ? ['PX', options.PX] : options?.EX != null ? ['EX', options.EX] : [];
    return (await this.call('SET', key, value, ...extra)) as string | null;
  }
  async del(...keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return (await this.call('DEL', ...keys)) as number;
  }
  async zrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean }): Promise<string[]> {
    return (await this.call('ZRANGE', key, start, end, ...(options?.WITHSCORES ? ['WITHSCORES'] : []))) as string[];
  }
  async zrevrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean }): Promise<string[]> {
    return (await this.call('ZREVRANGE', key, start, end, ...(options?.WITHSCORES ? ['WITHSCORES'] : []))) as string[];
  }
  async zcard(key: string): Promise<number> {
    return (await this.call('ZCARD', key)) as number;
  }
  async zscore(key: string, member: string): Promise<string | null> {
    return (await this.call('ZSCORE', key, member)) as string | null;
  }
  async lrange(key: string, start: number, end: number): Promise<string[]> {
    return (await this.call('LRANGE', key, start, end)) as string[];
  }
  async llen(key: string): Promise<number> {
    return (await this.call('LLEN', key)) as number;
  }
  async ltrim(key: string, start: number, end: number): Promise<string> {
    return (await this.call('LTRIM', key, start, end)) as string;
  }
  async lpos(key: string, value: string): Promise<number | null> {
    return (await this.call('LPOS', key, value)) as number | null;
  }
  async smembers(key: string): Promise<string[]> {
    return (await this.call('SMEMBERS', key)) as string[];
  }
  async xadd(key: string, id: string, fields: Record<string, string | number>, options?: { MAXLEN?: number; approximate?: boolean }): Promise<string> {
    const trim: RespArg[] = options?.MAXLEN != null ? ['MAXLEN', ...(options.approximate === false ? [] : ['~']), options.MAXLEN] : [];
    return (await this.call('XADD', key, ...trim, id, ...Object.entries(fields).flat())) as string;
  }
  async xread(streams: { key: string; id: string }[], options?: { BLOCK?: number; COUNT?: number }): Promise<any> {
    const opts: RespArg[] = [];
    if (options?.BLOCK != null) opts.push('BLOCK', options.BLOCK);
    if (options?.COUNT != null) opts.push('COUNT', options.COUNT);
    return this.call('XREAD', ...opts, 'STREAMS', ...streams.map((s) => s.key), ...streams.map((s) => s.id));
  }
  async xtrim(key: string, strategy: 'MAXLEN', threshold: number, options?: { approximate?: boolean }): Promise<number> {
    return (await this.call('XTRIM', key, strategy, ...(options?.approximate === false ? [] : ['~']), threshold)) as number;
  }
  async bzpopmin(key: string, timeout: number): Promise<[key: string, member: string, score: string] | null> {
    return (await this.call('BZPOPMIN', key, timeout)) as [string, string, string] | null;
  }
  async info(): Promise<string> {
    return (await this.call('INFO')) as string;
  }
  async clientSetName(name: string): Promise<any> {
    return this.call('CLIENT', 'SETNAME', name);
  }
  async clientList(): Promise<string> {
    return (await this.call('CLIENT', 'LIST')) as string;
  }
  async clientInfo(): Promise<string> {
    return (await this.call('CLIENT', 'INFO')) as string;
  }
  async scan(cursor: string | number, options: { MATCH?: string; COUNT?: number }): Promise<[string, string[]]> {
    const opts: RespArg[] = [];
    if (options?.MATCH != null) opts.push('MATCH', options.MATCH);
    if (options?.COUNT != null) opts.push('COUNT', options.COUNT);
    return (await this.call('SCAN', cursor, ...opts)) as [string, string[]];
  }
  scanStream(options: { match: string; count?: number }): Readable {
    let cursor = '0';
    let done = false;
    const readable: Readable = new Readable({
      objectMode: true,
      read: () => {
        if (done) return;
        this.scan(cursor, { MATCH: options.match, COUNT: options.count }).then(
          ([next, keys]) => {
            cursor = next;
            done = next === '0';
            readable.push(keys);
            if (done) readable.push(null);
          },
          (error: Error) => readable.destroy(error),
        );
      },
    });
    return readable;
  }
}

/**
 * Queued commands sent in one write. As a transaction (MULTI/EXEC) the
 * replies are EXEC's; as a pipeline they are each command's own. Either way
 * exec() resolves to ioredis-style `[error | null, value]` pairs.
 */
class RespTransaction implements IRedisTransaction {
  private readonly commands: RespArg[][] = [];
  private readonly scriptsUsed: ScriptDef[] = [];
  private readonly transforms: ((value: RespValue) => unknown)[] = [];

  constructor(
    private readonly client: RespRedisClient,
    private readonly atomic: boolean,
  ) {}

  private add(args: RespArg[], transform: (value: RespValue) => unknown = (v) => v): this {
    this.commands.push(args);
    this.transforms.push(transform);
    return this;
  }

  hgetall(key: string): this {
    return this.add(['HGETALL', key], pairsToRecord);
  }
  hset(key: string, data: Record<string, string | number>): this {
    return this.add(['HSET', key, ...Object.entries(data).flat()]);
  }
  hscan(key: string, cursor: string | number, options?: { COUNT?: number }): this {
    return this.add(['HSCAN', key, cursor, ...(options?.COUNT != null ? ['COUNT', options.COUNT] : [])]);
  }
  smembers(key: string): this {
    return this.add(['SMEMBERS', key]);
  }
  sscan(key: string, cursor: string | number, options?: { COUNT?: number }): this {
    return this.add(['SSCAN', key, cursor, ...(options?.COUNT != null ? ['COUNT', options.COUNT] : [])]);
  }
  zrange(key: string, start: number, end: number): this {
    return this.add(['ZRANGE', key, start, end]);
  }
  lrange(key: string, start: number, end: number): this {
    return this.add(['LRANGE', key, start, end]);
  }
  llen(key: string): this {
    return this.add(['LLEN', key]);
  }
  del(...keys: string[]): this {
    return keys.length === 0 ? this : this.add(['DEL', ...keys]);
  }
  runCommand(name: string, args: any[]): this {
    const { def, argv } = this.client.scriptCall(name, args);
    this.scriptsUsed.push(def);
    return this.add(['EVALSHA', def.sha, ...argv]);
  }

  async exec(): Promise<[Error | null, any][] | null> {
    if (this.commands.length === 0) return [];
    await this.client.ensureScripts(this.scriptsUsed);
    if (!this.atomic) {
      const replies = await this.client.send(this.commands);
      return replies.map((reply, i) => this.pair(reply, i));
    }
    const replies = await this.client.send([['MULTI'], ...this.commands, ['EXEC']]);
    const execReply = replies[replies.length - 1]!;
    if (execReply instanceof RespError) throw execReply;
    if (execReply === null) return null;
    return (execReply as RespValue[]).map((reply, i) => this.pair(reply, i));
  }

  private pair(reply: RespValue, index: number): [Error | null, any] {
    return reply instanceof RespError ? [reply, null] : [null, this.transforms[index]!(reply)];
  }
}
