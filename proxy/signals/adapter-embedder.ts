import type { ProxyContext } from '../proxy-context.ts';
import { upstreamTarget } from '../execute/chat-attempts.ts';
import type { EmbedTexts } from './embedding-signal.ts';

/**
 * Embeds texts through the target's provider adapter and the proxy's upstream client: the same
 * wire format, credentials and connection pools as POST /v1/embeddings. Float or base64 answers.
 */
export function adapterEmbedder(
  ctx: Pick<ProxyContext, 'adapterFor' | 'upstream' | 'credentials'>,
): EmbedTexts {
  return async (target, texts, signal) => {
    const adapter = ctx.adapterFor(target.provider.api);
    const request = { model: target.key, input: [...texts] };
    const answer = await ctx.upstream.sendAndRead(
      adapter.buildEmbeddingsRequest(request, upstreamTarget(target, ctx.credentials)),
      signal,
    );
    if (answer.statusCode !== 200)
      throw new Error(`${target.key} answered ${answer.statusCode} to an embeddings call`);
    const { response } = adapter.parseEmbeddingsResponse(answer.text, {
      responseModel: target.key,
      request: { model: target.key, messages: [] },
      createdSeconds: 0,
      fallbackId: 'embedding-signal',
    });
    const data = [...response.data].sort((a, b) => a.index - b.index);
    if (data.length !== texts.length)
      throw new Error(`${target.key} returned ${data.length} embeddings for ${texts.length} texts`);
    return data.map((d) => vectorOf(d.embedding));
  };
}

/** A float array, or OpenAI's base64 of little-endian float32s. */
export function vectorOf(embedding: number[] | string): Float32Array {
  if (typeof embedding !== 'string') return Float32Array.from(embedding);
  const bytes = Buffer.from(embedding, 'base64');
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}
