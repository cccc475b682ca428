import { ChatMessage, streamChat } from './sse-client';

export interface PromptCacheSample {
  /** TTFT of a second-turn-shaped conversation that nothing in the cache shares. */
  coldTtftMs: number;
  /** TTFT of the same-sized conversation re-sent after its first turn: its prefix is in a sequence's KV cache. */
  secondTurnTtftMs: number;
  promptTokens: number;
  coldCachedTokens: number;
  secondTurnCachedTokens: number;
}

/** A long first message, so that evaluating the prompt is a visible part of the time to first token. */
const firstMessage = (tag: string) =>
  `Conversation ${tag}. ` +
  Array.from({ length: 24 }, (_, i) => `Paragraph ${i + 1}: the quick brown fox jumps over the lazy dog near the riverbank at dawn.`).join(' ');
const FOLLOW_UP = 'Thank you. Now summarise what I wrote in one sentence.';

/**
 * The prompt cache over HTTP: the time to first token of a conversation's second turn, whose first
 * turn is still in a sequence's KV cache, against the same-sized conversation sent cold.
 */
export async function measurePromptCache(baseUrl: string, model: string, tag: string, maxTokens: number): Promise<PromptCacheSample> {
  const secondTurn = (first: string, answer: string): ChatMessage[] => [
    { role: 'user', content: first },
    { role: 'assistant', content: answer },
    { role: 'user', content: FOLLOW_UP },
  ];
  const firstTurn = await streamChat(baseUrl, model, [{ role: 'user', content: firstMessage(`${tag}-warm`) }], maxTokens);
  const cold = await streamChat(baseUrl, model, secondTurn(firstMessage(`${tag}-cold`), firstTurn.text), maxTokens);
  const warm = await streamChat(baseUrl, model, secondTurn(firstMessage(`${tag}-warm`), firstTurn.text), maxTokens);
  return {
    coldTtftMs: cold.ttftMs,
    secondTurnTtftMs: warm.ttftMs,
    promptTokens: warm.promptTokens,
    coldCachedTokens: cold.cachedTokens,
    secondTurnCachedTokens: warm.cachedTokens,
  };
}
