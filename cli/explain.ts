import { readFile } from 'node:fs/promises';
import { compile } from '../core/compile/compile.ts';
import { chatCompletionRequest } from '../core/openai/chat-request.ts';
import { decide, sensitivityOf, type RouteDecision } from '../core/routing/decide.ts';
import { expectedCostUSD, type Plan } from '../core/routing/plan.ts';
import {
  buildRouteIndex,
  type IndexedRoute,
  type ResolvedTarget,
} from '../core/routing/route-index.ts';
import { routingInputFor } from '../core/routing/request-input.ts';
import type { RoutingInput } from '../core/routing/routing-input.ts';
import type { ChatCompletionRequest } from '../core/openai/types.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';
import { loadManifests } from './load-manifests.ts';

/** The `switchyard explain --help` text. */
export const usage = `Usage: switchyard explain --manifests DIR --request FILE [--header NAME:VALUE]...

Shows how a proxy serving DIR would route the chat completion request in FILE (the JSON body an
OpenAI SDK sends): the rule that matched, the tier, every candidate target with the reason it was
kept or excluded, and the attempts in order. Nothing is sent to any provider; circuits are taken
as closed and latencies as unknown. When the policy has a classifier model and no rule matches,
the default tier is shown, with a note that the classifier would be asked first.

Options:
  --manifests DIR        folder (or file) of manifests, as for serve
  --request FILE         JSON body of POST /v1/chat/completions ("-" reads stdin)
  --header NAME:VALUE    a request header (repeatable), e.g. x-task:code or x-switchyard-latency:interactive
  --json                 print the explanation as JSON`;

/** Runs `switchyard explain`. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const options = parseOptions(args);
  if (options === 'help') {
    io.stdout(usage);
    return EXIT.ok;
  }
  const request = await readRequest(options.requestFile, io);
  if (request === undefined) return EXIT.problems;
  const loaded = await loadManifests([options.manifests]);
  const index = buildRouteIndex(compile(loaded.snapshot).config);
  const route = index.routes.get(request.model);
  if (route === undefined) {
    const aliases = [...index.routes.keys()].join(', ') || '(none)';
    io.stderr(
      `no RoutePolicy with model "${request.model}" in ${options.manifests}; aliases: ${aliases}`,
    );
    return EXIT.problems;
  }
  const explanation = await explainRequest(route, routingInputFor(request, options.headers));
  if (options.json) io.stdout(JSON.stringify(explanation, null, 2));
  else printExplanation(explanation, route.config.failover.maxAttempts, io);
  return EXIT.ok;
}

interface ExplainOptions {
  manifests: string;
  requestFile: string;
  headers: Record<string, string>;
  json: boolean;
}

function parseOptions(args: string[]): ExplainOptions | 'help' {
  const { values } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    manifests: { type: 'string' },
    request: { type: 'string' },
    header: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  if (values.help === true) return 'help';
  if (values.manifests === undefined || values.request === undefined) {
    throw new UsageError('--manifests DIR and --request FILE are required');
  }
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header must be NAME:VALUE, not "${header}"`);
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  return {
    manifests: values.manifests,
    requestFile: values.request,
    headers,
    json: values.json === true,
  };
}

async function readRequest(
  file: string,
  io: CommandIo,
): Promise<ChatCompletionRequest | undefined> {
  const text =
    file === '-' ? await readStdin() : await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    io.stderr(`${file}: cannot read the request file`);
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    io.stderr(`${file}: not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  const parsed = chatCompletionRequest.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  io.stderr(
    `${file}: not a chat completion request: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
  );
  return undefined;
}

/**
 * What the proxy's own decision function (core/routing/decide.ts) decides for this request, with
 * circuits closed, latencies unknown and no classifier model to ask.
 */
export async function explainDecision(
  route: IndexedRoute,
  input: RoutingInput,
): Promise<RouteDecision> {
  const resolution = { routeName: route.config.alias, route, direct: undefined };
  return decide(resolution, input, sensitivityOf(resolution, input), {
    health: () => ({ circuit: 'closed' }),
    random: () => 0,
    budget: 'normal',
  });
}

async function explainRequest(route: IndexedRoute, input: RoutingInput): Promise<ExplainOutput> {
  const { classification, routePlan, sensitive, refusal } = await explainDecision(route, input);
  return explanationOf(route, input, { classification, routePlan, sensitive, refusal });
}

/** What explain cannot ask (network signals), said next to what it decided without them. */
function noteOf(route: IndexedRoute, source: string): string | null {
  if (source === 'rule' || source === 'client') return null;
  const c = route.config.classification;
  const asked = [
    ...(c.classifier === undefined ? [] : ['the classifier model']),
    ...(c.embeddings === undefined ? [] : ['the embeddings signal']),
  ];
  return asked.length === 0
    ? null
    : `no rule matched: ${asked.join(', then ')} would be asked first`;
}

function explanationOf(
  route: IndexedRoute,
  input: RoutingInput,
  {
    classification,
    routePlan,
    sensitive,
    refusal,
  }: Pick<RouteDecision, 'classification' | 'routePlan' | 'sensitive' | 'refusal'>,
): ExplainOutput {
  return {
    route: route.config.alias,
    policy: `${route.config.namespace}/${route.config.policy}`,
    promptTokens: input.promptTokens,
    requiredCapabilities: input.requiredCapabilities,
    sensitive,
    classification: {
      source: classification.source,
      rule: classification.rule ?? null,
      tier: classification.tier,
      score: classification.score ?? null,
      note: noteOf(route, classification.source),
    },
    tiersVisited: routePlan.tiers,
    candidates: route.tiers.flatMap((tier) =>
      tier.targets.map((target) => candidateOf(tier.name, target, routePlan, input)),
    ),
    attempts: routePlan.attempts.map((a, i) => ({
      order: i + 1,
      tier: a.tier,
      target: a.target.key,
    })),
    refusal: refusal?.message ?? null,
  };
}

function candidateOf(
  tier: string,
  target: ResolvedTarget,
  routePlan: Plan,
  input: RoutingInput,
): ExplainOutput['candidates'][number] {
  const exclusion = routePlan.exclusions.find((e) => e.key === target.key && e.tier === tier);
  const visited = routePlan.tiers.includes(tier);
  const verdict = !visited
    ? 'not visited'
    : exclusion === undefined
      ? 'kept'
      : exclusion.lastResort
        ? 'last resort'
        : 'excluded';
  return {
    tier,
    target: target.key,
    expectedCostUSD: Number(expectedCostUSD(target, input).toFixed(8)),
    verdict,
    reason: exclusion === undefined ? null : `${exclusion.reason}: ${exclusion.detail}`,
  };
}

function printExplanation(e: ExplainOutput, maxAttempts: number, io: CommandIo): void {
  io.stdout(`route      ${e.route} (RoutePolicy ${e.policy})`);
  io.stdout(
    `request    ~${e.promptTokens} prompt tokens; needs ${e.requiredCapabilities.join(', ') || 'nothing special'}${e.sensitive ? '; SENSITIVE (governance pool only)' : ''}`,
  );
  const c = e.classification;
  io.stdout(
    `tier       ${c.tier} (${c.source === 'rule' ? `rule ${c.rule ?? ''}` : c.source}${c.score === null ? '' : ` ${c.score.toFixed(3)}`})${c.note === null ? '' : ` — ${c.note}`}`,
  );
  io.stdout(`visits     ${e.tiersVisited.join(' → ')}`);
  io.stdout('candidates');
  for (const k of e.candidates) {
    io.stdout(
      `  ${k.verdict.padEnd(11)} ${k.tier.padEnd(10)} ${k.target.padEnd(32)} ~$${k.expectedCostUSD.toFixed(6)}${k.reason === null ? '' : `  (${k.reason})`}`,
    );
  }
  io.stdout(`attempts   (at most ${maxAttempts}, retries included)`);
  for (const a of e.attempts) io.stdout(`  ${a.order}. ${a.target} [${a.tier}]`);
  if (e.attempts.length === 0)
    io.stdout(`  none: the request would be refused (${e.refusal ?? 'no target can serve it'})`);
}

type ExplainOutput = {
  route: string;
  policy: string;
  promptTokens: number;
  requiredCapabilities: readonly string[];
  sensitive: boolean;
  classification: {
    source: string;
    rule: string | null;
    tier: string;
    /** The difficulty score, when the scorer decided. */
    score: number | null;
    note: string | null;
  };
  tiersVisited: string[];
  candidates: {
    tier: string;
    target: string;
    expectedCostUSD: number;
    verdict: string;
    reason: string | null;
  }[];
  attempts: { order: number; tier: string; target: string }[];
  /** Why the request would be refused, when no attempt can be made. */
  refusal: string | null;
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
