import { readFile } from 'node:fs/promises';
import { compile } from '../core/compile/compile.ts';
import { chatCompletionRequest } from '../core/openai/chat-request.ts';
import { classifyByRules, defaultClassification } from '../core/routing/classify.ts';
import { isSensitive } from '../core/routing/governance.ts';
import { expectedCostUSD, plan } from '../core/routing/plan.ts';
import { buildRouteIndex } from '../core/routing/route-index.ts';
import { routingInputFor } from '../proxy/execute/routing-input.ts';
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
  const { values } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    manifests: { type: 'string' },
    request: { type: 'string' },
    header: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (values.manifests === undefined || values.request === undefined)
    throw new UsageError('--manifests DIR and --request FILE are required');
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header must be NAME:VALUE, not "${header}"`);
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const text =
    values.request === '-'
      ? await readStdin()
      : await readFile(values.request, 'utf8').catch(() => undefined);
  if (text === undefined) {
    io.stderr(`${values.request}: cannot read the request file`);
    return EXIT.problems;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    io.stderr(`${values.request}: not valid JSON: ${(error as Error).message}`);
    return EXIT.problems;
  }
  const parsed = chatCompletionRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    io.stderr(
      `${values.request}: not a chat completion request: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
    return EXIT.problems;
  }
  const loaded = await loadManifests([values.manifests]);
  const index = buildRouteIndex(compile(loaded.snapshot).config);
  const request = parsed.data;
  const route = index.routes.get(request.model);
  if (route === undefined) {
    io.stderr(
      `no RoutePolicy with model "${request.model}" in ${values.manifests}; aliases: ${[...index.routes.keys()].join(', ') || '(none)'}`,
    );
    return EXIT.problems;
  }
  const input = routingInputFor(request, headers);
  const sensitive = isSensitive(
    route.config.governance,
    route.sensitivePatterns,
    input.headers,
    input.allText,
  );
  const byRule = classifyByRules(route, input);
  const classification = byRule ?? defaultClassification(route);
  const latency = input.headers['x-switchyard-latency'];
  const routePlan = plan(route, classification, input, {
    health: () => ({ circuit: 'closed' }),
    random: () => 0,
    latencyClass: latency === 'interactive' || latency === 'batch' ? latency : undefined,
    sensitive,
    budget: 'normal',
  });
  const explanation = {
    route: route.config.alias,
    policy: `${route.config.namespace}/${route.config.policy}`,
    promptTokens: input.promptTokens,
    requiredCapabilities: input.requiredCapabilities,
    sensitive,
    classification: {
      source: classification.source,
      rule: classification.rule ?? null,
      tier: classification.tier,
      note:
        byRule === undefined && route.config.classification.classifier !== undefined
          ? 'no rule matched: the classifier model would be asked first'
          : null,
    },
    tiersVisited: routePlan.tiers,
    candidates: route.tiers.flatMap((tier) =>
      tier.targets.map((target) => {
        const exclusion = routePlan.exclusions.find(
          (e) => e.key === target.key && e.tier === tier.name,
        );
        const visited = routePlan.tiers.includes(tier.name);
        return {
          tier: tier.name,
          target: target.key,
          expectedCostUSD: Number(expectedCostUSD(target, input).toFixed(8)),
          verdict: !visited
            ? 'not visited'
            : exclusion === undefined
              ? 'kept'
              : exclusion.lastResort
                ? 'last resort'
                : 'excluded',
          reason: exclusion === undefined ? null : `${exclusion.reason}: ${exclusion.detail}`,
        };
      }),
    ),
    attempts: routePlan.attempts.map((a, i) => ({
      order: i + 1,
      tier: a.tier,
      target: a.target.key,
    })),
  };
  if (values.json === true) io.stdout(JSON.stringify(explanation, null, 2));
  else printExplanation(explanation, route.config.failover.maxAttempts, io);
  return EXIT.ok;
}

function printExplanation(e: ExplainOutput, maxAttempts: number, io: CommandIo): void {
  io.stdout(`route      ${e.route} (RoutePolicy ${e.policy})`);
  io.stdout(
    `request    ~${e.promptTokens} prompt tokens; needs ${e.requiredCapabilities.join(', ') || 'nothing special'}${e.sensitive ? '; SENSITIVE (governance pool only)' : ''}`,
  );
  const c = e.classification;
  io.stdout(
    `tier       ${c.tier} (${c.source === 'rule' ? `rule ${c.rule ?? ''}` : c.source})${c.note === null ? '' : ` — ${c.note}`}`,
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
    io.stdout('  none: the request would be refused (no target can serve it)');
}

type ExplainOutput = {
  route: string;
  policy: string;
  promptTokens: number;
  requiredCapabilities: readonly string[];
  sensitive: boolean;
  classification: { source: string; rule: string | null; tier: string; note: string | null };
  tiersVisited: string[];
  candidates: {
    tier: string;
    target: string;
    expectedCostUSD: number;
    verdict: string;
    reason: string | null;
  }[];
  attempts: { order: number; tier: string; target: string }[];
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
