import type { ModelCapability } from '../api/model-provider.ts';

/** What routing needs to know about a request, extracted once per request by the proxy. */
export interface RoutingInput {
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** max_completion_tokens / max_tokens when the client set one. */
  maxOutputTokens: number | undefined;
  /** Capabilities a model must declare to serve this request. */
  requiredCapabilities: readonly ModelCapability[];
  hasTools: boolean;
  hasImages: boolean;
  responseFormat: 'text' | 'json_object' | 'json_schema' | undefined;
  /** Text of the user messages, lower-cased, for keyword rules. */
  userTextLower: string;
  /** Text of every message, for regex rules. */
  allText: string;
  /**
   * Every string the request would forward to a provider, normalised (NFKC), for sensitivity
   * patterns; computed on the first call. Undefined when there is too much to scan: fail closed.
   */
  forwardedText: () => string | undefined;
  /** Request headers with lower-case names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The request's `metadata` object, string values only. */
  metadata: Readonly<Record<string, string>>;
}
