// A throwaway Redis (Debian's redis-server) on a free loopback port, without persistence, plus a
// minimal RESP client so tests can inspect or reset it without a Redis client library.
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { makeTempDir, removeTempDir, startProcess, waitUntil } from './processes.ts';
import { systemBinary } from './tools.ts';

/** A reply decoded from RESP: strings, integers, null, nested arrays, or an Error for `-ERR`. */
export type RedisReply = string | number | null | Error | RedisReply[];

/** A running Redis server. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
  /** Sends one command on a fresh connection and returns its decoded reply. */
  command(...args: readonly string[]): Promise<RedisReply>;
  /** Kills the server and removes its temp folder. */
  stop(): Promise<void>;
}

/** Options for startRedis. */
export interface RedisOptions {
  /** Extra redis-server arguments, e.g. `['--maxmemory', '10mb']`. */
  readonly args?: readonly string[];
  readonly timeoutMs?: number;
  /** The port to listen on, e.g. the port of a Redis the test stopped; default a free one. */
  readonly port?: number;
}

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Decodes one RESP2 reply at `offset`; returns undefined when `buffer` does not hold all of it. */
function decodeReply(
  buffer: Buffer,
  offset: number,
): { reply: RedisReply; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, next };
    case '-':
      return { reply: new Error(line), next };
    case ':':
      return { reply: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, next };
      const items: RedisReply[] = [];
      let cursor = next;
      for (let index = 0; index < count; index++) {
        const item = decodeReply(buffer, cursor);
        if (item === undefined) return undefined;
        items.push(item.reply);
        cursor = item.next;
      }
      return { reply: items, next: cursor };
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/** Sends one command to a Redis at 127.0.0.1:`port` over raw RESP and returns the decoded reply. */
export function redisCommand(port: number, args: readonly string[]): Promise<RedisReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let buffer = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error(`redis ${args[0] ?? ''} timed out`)));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        const decoded = decodeReply(buffer, 0);
        if (decoded === undefined) return;
        socket.end();
        resolve(decoded.reply);
      } catch (error) {
        socket.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(encodeCommand(args));
  });
}

/** Starts redis-server on a free loopback port with persistence off and waits until it answers. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const binary = systemBinary('redis-server');
  const dir = makeTempDir('redis');
  const port = options.port ?? (await freePort());
  const server = startProcess(
    'redis-server',
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      // Persistence only costs time here: no RDB snapshots, no AOF.
      '--save',
      '',
      '--appendonly',
      'no',
      ...(options.args ?? []),
    ],
    { logFile: join(dir, 'redis.log') },
  );
  try {
    await waitUntil(
      'redis-server PING',
      async () => ((await redisCommand(port, ['PING'])) === 'PONG' ? true : undefined),
      { timeoutMs: options.timeoutMs ?? 15_000, intervalMs: 20, processes: [server] },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    logFile: server.logFile,
    command: (...args) => redisCommand(port, args),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      removeTempDir(dir);
    },
  };
}
