// The OpenAI API surface the proxy serves, as types. Schemas live beside each type's file.
export type {
  ChatCompletionRequest,
  ChatMessage,
  ResponseFormat,
  TextPart,
  Tool,
  ToolCall,
  ToolChoice,
  UserContentPart,
} from './chat-request.ts';
export type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChunkChoice,
  FinishReason,
  ToolCallDelta,
  WireUsage,
} from './chat-completion.ts';
export type { EmbeddingsRequest, EmbeddingsResponse } from './embeddings.ts';
export type { OpenAIErrorBody } from './error-body.ts';
