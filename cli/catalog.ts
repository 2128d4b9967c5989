import { readFile } from 'node:fs/promises';
import { dump } from 'js-yaml';
import { objectName } from '../core/api/common.ts';
import { PROVIDER_APIS, type ProviderApi } from '../core/api/model-provider.ts';
import { PRICE_FEED_FORMATS, type PriceFeedFormat } from '../core/api/price-feed.ts';
import { importCatalog, type CatalogImportOptions } from '../core/pricing/catalog-import.ts';
import { parseFeedDocument } from '../core/pricing/feed-document.ts';
import { EXIT, parseCommandArgs, UsageError, type CommandIo } from './command.ts';
import { describeFsError } from './find-manifest-files.ts';

/** The `switchyard catalog --help` text. */
export const usage = `Usage: switchyard catalog import --format openrouter|litellm SOURCE --provider NAME [options]

Prints a ModelProvider manifest (YAML) built from a model catalog: OpenRouter's /api/v1/models
document or LiteLLM's model_prices_and_context_window.json, read from a file or an http(s) URL.
Each model gets its prices, context window, output limit and capabilities from the catalog;
entries without a usable price or context window are skipped with a note on stderr. Review the
result (dataPolicy keeps its cautious defaults), then kubectl apply it.

  switchyard catalog import --format openrouter https://openrouter.ai/api/v1/models \\
    --provider openrouter --models 'openai/gpt-4o*,anthropic/*' --feed openrouter | kubectl apply -f -

Options:
  --format FORMAT       openrouter or litellm
  --provider NAME       name of the ModelProvider
  --models LIST         comma-separated catalog ids or globs (openai/*); default every chat and
                        embedding model (a ModelProvider holds at most 256)
  --namespace NS        metadata.namespace of the manifests
  --feed NAME           models follow PriceFeed NAME (pricing.feedRef, the catalog prices as the
                        fallback); when SOURCE is a URL, that PriceFeed is printed too
  --api API             openai, anthropic or gemini (default: from the catalog)
  --base-url URL        the provider's endpoint (default: from the catalog)
  --secret NAME[/KEY]   the Secret with the API key (default: the provider's name, key apiKey)
  --no-auth             no spec.auth (an endpoint without keys)

Exit status: 0 when manifests were printed, 1 when nothing could be imported, 2 on a usage error.`;

const FETCH_TIMEOUT_MS = 30_000;
const MAX_BYTES = 64 * 1024 * 1024;

/** Runs `switchyard catalog`. */
export async function run(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    help: { type: 'boolean', short: 'h' },
    format: { type: 'string' },
    provider: { type: 'string' },
    models: { type: 'string' },
    namespace: { type: 'string' },
    feed: { type: 'string' },
    api: { type: 'string' },
    'base-url': { type: 'string' },
    secret: { type: 'string' },
    'no-auth': { type: 'boolean' },
  });
  if (values.help === true) {
    io.stdout(usage);
    return EXIT.ok;
  }
  const [subcommand, source, ...extra] = positionals;
  if (subcommand !== 'import') throw new UsageError('the only subcommand is import');
  if (source === undefined || extra.length > 0)
    throw new UsageError('give exactly one FILE or URL');
  const options = importOptions(values, source);
  const text = await readSource(source, io);
  if (text === undefined) return EXIT.problems;
  const parsed = parseFeedDocument(options.format, text);
  if (!parsed.ok) {
    io.stderr(
      `switchyard catalog: ${source} does not read as format ${options.format}: ${parsed.message}`,
    );
    return EXIT.problems;
  }
  const result = importCatalog(parsed.document, options);
  for (const note of result.notes) io.stderr(`note: ${note}`);
  for (const error of result.errors) io.stderr(`switchyard catalog: ${error}`);
  if (result.errors.length > 0) return EXIT.problems;
  if (options.feed !== undefined && options.feedUrl === undefined) {
    io.stderr(
      `note: PriceFeed ${options.feed} is not printed because ${source} is a file: create it with spec.url set to where the catalog is published`,
    );
  }
  const header = `# Imported by switchyard catalog import from ${options.feedUrl ?? source} (${options.format}).`;
  const documents = result.manifests.map((manifest) =>
    dump(manifest, { lineWidth: -1, noRefs: true }),
  );
  io.stdout(`${header}\n${documents.join('---\n')}`.trimEnd());
  return EXIT.ok;
}

type Values = Record<string, string | boolean | undefined>;

function importOptions(values: Values, source: string): CatalogImportOptions {
  const format = required(values, 'format');
  if (!(PRICE_FEED_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be ${PRICE_FEED_FORMATS.join(' or ')}, not "${format}"`);
  }
  const provider = name(required(values, 'provider'), '--provider');
  const api = values['api'] as string | undefined;
  if (api !== undefined && !(PROVIDER_APIS as readonly string[]).includes(api)) {
    throw new UsageError(`--api must be one of ${PROVIDER_APIS.join(', ')}, not "${api}"`);
  }
  const baseURL = values['base-url'] as string | undefined;
  if (baseURL !== undefined && !/^https?:\/\/[^\s/?#]+/.test(baseURL)) {
    throw new UsageError('--base-url must be an http or https URL');
  }
  const feed = values['feed'] as string | undefined;
  const namespace = values['namespace'] as string | undefined;
  const isUrl = /^https?:\/\//.test(source);
  return {
    format: format as PriceFeedFormat,
    provider,
    namespace: namespace === undefined ? undefined : name(namespace, '--namespace'),
    models: String(values['models'] ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== ''),
    feed: feed === undefined ? undefined : name(feed, '--feed'),
    feedUrl: isUrl ? source : undefined,
    api: api as ProviderApi | undefined,
    baseURL,
    secret:
      values['no-auth'] === true
        ? undefined
        : secretOf(values['secret'] as string | undefined, provider),
  };
}

function required(values: Values, option: string): string {
  const value = values[option];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${option} is required`);
  return value;
}

function name(value: string, option: string): string {
  if (!objectName.max(63).safeParse(value).success) {
    throw new UsageError(
      `${option} must be a Kubernetes name (lower-case letters, digits and "-"), not "${value}"`,
    );
  }
  return value;
}

function secretOf(value: string | undefined, provider: string): { name: string; key: string } {
  const [secretName = provider, key = 'apiKey'] = (value ?? provider).split('/');
  return { name: name(secretName, '--secret'), key };
}

/** The catalog's text from a file or a URL (fetched as the operator fetches feeds). */
async function readSource(source: string, io: CommandIo): Promise<string | undefined> {
  if (/^https?:\/\//.test(source)) {
    const { FeedFetcher } = await import('../operator/pricefeed/feed-fetcher.ts');
    const fetcher = new FeedFetcher();
    try {
      const response = await fetcher.fetch({
        url: source,
        timeoutMs: FETCH_TIMEOUT_MS,
        maxBytes: MAX_BYTES,
      });
      if (response.kind === 'document') return response.text;
      io.stderr(`switchyard catalog: ${source} answered 304 to an unconditional request`);
      return undefined;
    } catch (error) {
      io.stderr(`switchyard catalog: ${(error as Error).message}`);
      return undefined;
    } finally {
      await fetcher.close();
    }
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    io.stderr(`switchyard catalog: cannot read ${source}: ${describeFsError(error)}`);
    return undefined;
  }
}
