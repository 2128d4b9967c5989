import { createWriteStream } from 'node:fs';
import { samplesKey } from '../core/live/fleet-keys.ts';
import { evalLineOf, judgedSample } from '../core/quality/judged-sample.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';

/** The `switchyard quality --help` text. */
export const usage = `Usage: switchyard quality export --redis URL --policy NAMESPACE/NAME [--output FILE] [--all]

Writes the judged samples the proxies kept for a RoutePolicy (spec.quality.export, newest first)
as a \`switchyard eval\` dataset, one JSON line each: {"id", "messages", "label", "grades"}, where
grades holds the judged tier's score and label the cheapest tier the sample shows adequate (the
judged tier when it scored at or above the floor, else the next more capable one). Retrain or
recalibrate the difficulty scorer on your own traffic with it.

Request text is kept only when the policy sets spec.quality.export.includeRequestText: true
(off by default: prompts are customer data). Samples without text cannot be replayed; they are
left out unless --all is given, which writes them without "messages" (join them to your own
records by id, the request's x-request-id).

Options:
  --redis URL        the Redis the proxies share (default: SWITCHYARD_REDIS_URL)
  --policy NS/NAME   the RoutePolicy whose samples to export
  --output FILE      where to write (default: stdout)
  --all              also write samples that kept no request text`;

/** Runs `switchyard quality export`. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    redis: { type: 'string' },
    policy: { type: 'string' },
    output: { type: 'string' },
    all: { type: 'boolean', default: false },
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (positionals[0] !== 'export') throw new UsageError('the only subcommand is "export"');
  const redisUrl = values.redis ?? process.env['SWITCHYARD_REDIS_URL'];
  if (redisUrl === undefined || redisUrl === '') throw new UsageError('--redis URL is required');
  const policy = values.policy;
  if (policy === undefined || !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(policy))
    throw new UsageError('--policy NAMESPACE/NAME is required');
  const { RedisState } = await import('../proxy/state/redis-state.ts');
  const state = await RedisState.connect(redisUrl);
  let raw: string[];
  try {
    raw = await state.listRange(samplesKey(policy), 100_000);
  } finally {
    await state.close();
  }
  const lines: string[] = [];
  let withoutText = 0;
  for (const json of raw) {
    const sample = judgedSample.safeParse(safeJson(json));
    if (!sample.success) continue;
    if (sample.data.messages === undefined) {
      withoutText++;
      if (values.all !== true) continue;
    }
    lines.push(JSON.stringify(evalLineOf(sample.data)));
  }
  await write(values.output, lines, io);
  io.stderr(
    `${lines.length} samples of ${policy} written` +
      (withoutText > 0 && values.all !== true
        ? `; ${withoutText} kept no request text and were left out (spec.quality.export.includeRequestText is false when they were judged; --all writes them without messages)`
        : ''),
  );
  return EXIT.ok;
}

async function write(
  output: string | undefined,
  lines: readonly string[],
  io: CommandIo,
): Promise<void> {
  if (output === undefined) {
    for (const line of lines) io.stdout(line);
    return;
  }
  const stream = createWriteStream(output, { mode: 0o600 });
  for (const line of lines) stream.write(`${line}\n`);
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(resolve);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
