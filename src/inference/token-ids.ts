import { EngineModel } from './engine.port';
import { InvalidTokenError } from './request.errors';

/** Refuses token ids outside the vocabulary: llama.cpp aborts the whole process on them. */
export function checkTokenIds(engine: EngineModel, tokens: readonly number[], field: string, path: number[] = []): void {
  const size = engine.vocabularySize;
  tokens.forEach((token, at) => {
    if (!Number.isInteger(token) || token < 0 || token >= size) throw new InvalidTokenError(field, [...path, at], token, size);
  });
}
