import { TokenUsage } from '../../inference/inference.types';
import { CompletionUsageDto } from './completion-usage.dto';

export function toCompletionUsage(usage: TokenUsage): CompletionUsageDto {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}
