import { EngineModel } from '../inference/engine.port';
import { streamStats, StreamStats } from './stats';

/**
 * One greedy generation straight on node-llama-cpp through our adapter (no HTTP, no detokenizing):
 * the baseline the server is measured against. Stops like the server does: end of generation, a stop
 * token of the chat format, or `maxTokens`.
 */
export async function generateInProcess(model: EngineModel, userText: string, maxTokens: number): Promise<StreamStats> {
  const prompt = model.renderChat([{ role: 'user', text: userText }]);
  const stopTokens = new Set(prompt.stopTokens);
  const started = performance.now();
  const generation = await model.sequence(0).generate(prompt.tokens, { sampling: { temperature: 0 } }, new AbortController().signal);
  let tokens = 0;
  let first: number | undefined;
  let last: number | undefined;
  for await (const { token } of generation.tokens) {
    if (model.isEndOfGeneration(token) || stopTokens.has(token)) break;
    last = performance.now();
    first ??= last;
    if (++tokens >= maxTokens) break;
  }
  return streamStats(started, first, last, performance.now(), tokens);
}
