import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type { Ajv as AjvType, ValidateFunction } from 'ajv';
import type { ChatCompletion, ChatCompletionRequest } from '../../core/openai/types.ts';
import { compileLinear } from '../../core/regex/linear-regex.ts';

/** The verdict on one answer. */
export type GateVerdict = { ok: true } | { ok: false; reason: string };

const MAX_CACHED_SCHEMAS = 256;

/**
 * Checks that an answer honours the JSON the client asked for: parseable JSON for json_object,
 * and valid against the schema for json_schema. A cheap model that breaks the contract is the
 * signal to escalate (see the chat handler). Compiled schemas are cached by their text.
 */
export class QualityGate {
  // Loaded on the first json_schema answer: most proxies never see one, and ajv costs ~5 MB RSS.
  #ajv: AjvType | undefined;
  readonly #validators = new Map<string, ValidateFunction>();

  /** True when the request asks for structured output, so its answers are gated. */
  applies(request: ChatCompletionRequest): boolean {
    const type = request.response_format?.type;
    return type === 'json_object' || type === 'json_schema';
  }

  /** Judges the first choice of a completion. Tool calls and refusals pass: they are not JSON answers. */
  check(request: ChatCompletionRequest, completion: ChatCompletion): GateVerdict {
    const content = jsonCandidate(completion);
    if (content === undefined) return { ok: true };
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      return { ok: false, reason: 'the answer is not valid JSON' };
    }
    const format = request.response_format;
    if (format?.type !== 'json_schema' || format.json_schema.schema == null) return { ok: true };
    const validate = this.#validator(format.json_schema.schema);
    if (validate === undefined || validate(value)) return { ok: true };
    const first = validate.errors?.[0];
    return {
      ok: false,
      reason: `the answer does not match the schema: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`,
    };
  }

  #validator(schema: Record<string, unknown>): ValidateFunction | undefined {
    const key = JSON.stringify(schema);
    let validate = this.#validators.get(key);
    if (validate === undefined) {
      try {
        this.#ajv ??= newAjv();
        validate = this.#ajv.compile(schema);
      } catch {
        return undefined; // a schema ajv cannot compile is the provider's to enforce, not ours
      }
      if (this.#validators.size >= MAX_CACHED_SCHEMAS) this.#validators.clear();
      this.#validators.set(key, validate);
    }
    return validate;
  }
}

/**
 * ajv as the gate runs it on client schemas: `pattern` and `patternProperties` compile to the
 * linear-time engine (V8's would let `^(a+)+$` and a 30-character answer stop the event loop for
 * 40 s), and `uniqueItems`, which ajv checks in time quadratic in the array, is left to the
 * provider. Schema size and depth are bounded when the request is parsed (core/openai/schema-limits.ts).
 */
function newAjv(): AjvType {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof AjvModule;
  const ajv = new Ajv({ strict: false, allErrors: false, code: { regExp: linearRegExp } });
  ajv.removeKeyword('uniqueItems');
  return ajv;
}

/** ajv's regular-expression engine: the JSON Schema `u` flag needs nothing, RE2 reads Unicode. */
const linearRegExp = Object.assign((pattern: string) => compileLinear(pattern), {
  code: 'compileLinear',
});

/** The text that should be JSON, or undefined when the answer is a tool call or has no text. */
function jsonCandidate(completion: ChatCompletion): string | undefined {
  const message = completion.choices[0]?.message;
  if (message === undefined || (message.tool_calls?.length ?? 0) > 0) return undefined;
  return typeof message.content === 'string' ? message.content : undefined;
}
