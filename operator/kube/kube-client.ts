import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request as undiciRequest } from 'undici';
import { loadKubeConfigFrom } from '../preflight/load-kubeconfig.ts';
import { KubeApiError } from './kube-api-error.ts';

/** The HTTP verbs the operator uses. */
export type KubeVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Content types of the three patch flavours the operator sends. */
export const CONTENT_TYPE = {
  json: 'application/json',
  mergePatch: 'application/merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** One request to the API server. */
export interface KubeRequest {
  method: KubeVerb;
  /** Path below the server, e.g. `/api/v1/namespaces/ai/configmaps/switchyard-config`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON (which is also valid YAML for server-side apply). */
  body?: unknown;
  /** Defaults to application/json. */
  contentType?: string;
  /** Keep the server's error message out of thrown errors (writes of Secrets). */
  redactErrors?: boolean;
  /** Defaults to 30 s. */
  timeoutMs?: number;
}

/**
 * A small JSON client for the Kubernetes API. Authentication, CA and client certificates come
 * from client-node's KubeConfig (in-cluster, KUBECONFIG or a file); requests go through one
 * keep-alive undici Agent. The generated client-node APIs are not used for writes because their
 * serializer rewrites timestamps and cannot send server-side apply bodies (ADR 0003).
 */
export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly server: string;
  #agent: Agent | undefined;

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    this.kubeConfig = kubeConfig;
    this.server = cluster.server.replace(/\/+$/, '');
  }

  /** Sends a request and returns the parsed JSON body; throws KubeApiError on a non-2xx status. */
  async request<T = unknown>(req: KubeRequest): Promise<T> {
    const options: RequestOptions = {};
    // Called per request: token files (in-cluster, projected) are re-read when they rotate.
    await this.kubeConfig.applyToHTTPSOptions(options);
    this.#agent ??= agentFor(options);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = String(value);
    }
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = req.contentType ?? CONTENT_TYPE.json;
    }
    const timeoutMs = req.timeoutMs ?? 30_000;
    const response = await undiciRequest(this.#url(req), {
      method: req.method,
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: this.#agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    }
    throw apiError(req, response.statusCode, text);
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    const agent = this.#agent;
    this.#agent = undefined;
    await agent?.close();
  }

  #url(req: KubeRequest): string {
    const url = new URL(this.server + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }
}

/** One keep-alive connection pool with the TLS material of the kubeconfig. */
function agentFor(options: RequestOptions): Agent {
  const tls: Record<string, unknown> = {};
  for (const field of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const) {
    if (options[field] !== undefined) tls[field] = options[field];
  }
  return new Agent({ connect: tls, keepAliveTimeout: 30_000 });
}

function apiError(req: KubeRequest, status: number, text: string): KubeApiError {
  let reason: string | undefined;
  let message = '';
  try {
    const parsed = JSON.parse(text) as { reason?: unknown; message?: unknown };
    if (typeof parsed.reason === 'string') reason = parsed.reason;
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    message = text.slice(0, 200);
  }
  const detail = req.redactErrors === true || message === '' ? '' : `: ${message}`;
  return new KubeApiError(
    `${req.method} ${req.path} failed with ${status} ${reason ?? ''}${detail}`.replace(/ +:/, ':'),
    status,
    reason,
  );
}

/** Loads a kubeconfig: the given file, else KUBECONFIG, ~/.kube/config or the in-cluster service account. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  return loadKubeConfigFrom(kubeconfigPath);
}
