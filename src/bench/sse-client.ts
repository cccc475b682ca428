import { streamStats, StreamStats } from './stats';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatStreamResult extends StreamStats {
  text: string;
  promptTokens: number;
  /** Prompt tokens the server reused from its KV cache. */
  cachedTokens: number;
}

/** Streams one chat completion from `POST /v1/chat/completions` and times its content chunks. */
export async function streamChat(baseUrl: string, model: string, conversation: string | ChatMessage[], maxTokens: number): Promise<ChatStreamResult> {
  const messages = typeof conversation === 'string' ? [{ role: 'user', content: conversation }] : conversation;
  const started = performance.now();
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model,
      messages,
      max_tokens: maxTokens,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (!res.ok || !res.body) throw new Error(`POST /v1/chat/completions: HTTP ${res.status} ${await res.text()}`);
  let tokens: number | undefined;
  let usage: { prompt_tokens: number; prompt_tokens_details?: { cached_tokens?: number } } | undefined;
  let text = '';
  let first: number | undefined;
  let last: number | undefined;
  for await (const data of sseData(res.body)) {
    if (data === '[DONE]') break;
    const chunk = JSON.parse(data);
    if (chunk.error) throw new Error(`stream failed: ${chunk.error.message}`);
    if (chunk.choices[0]?.delta?.content) {
      last = performance.now();
      first ??= last;
      text += chunk.choices[0].delta.content;
    }
    if (chunk.usage) {
      tokens = chunk.usage.completion_tokens;
      usage = chunk.usage;
    }
  }
  if (tokens === undefined || !usage) throw new Error('the stream ended without a usage chunk');
  return {
    ...streamStats(started, first, last, performance.now(), tokens),
    text,
    promptTokens: usage.prompt_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/** The `data:` payloads of a server-sent event stream. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = event.split('\n').filter((line) => line.startsWith('data:'));
      if (lines.length) yield lines.map((line) => line.slice(5).trimStart()).join('\n');
    }
  }
}
