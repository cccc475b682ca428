export class PromptTokensDetailsDto {
  /** Prompt tokens whose evaluation was reused from the KV cache of an earlier request. */
  cached_tokens: number;
}

export class CompletionTokensDetailsDto {
  /** Tokens spent on hidden reasoning (0: llamanest returns all generated text). */
  reasoning_tokens: number;
}

/** Exact token counts of a request, as the model's tokenizer counts them. */
export class CompletionUsageDto {
  /** Tokens in the prompt, as rendered by the model's chat template. */
  prompt_tokens: number;

  /** Tokens generated, over all choices (the end-of-turn token is not counted). */
  completion_tokens: number;

  /** `prompt_tokens + completion_tokens`. */
  total_tokens: number;

  prompt_tokens_details: PromptTokensDetailsDto;

  completion_tokens_details: CompletionTokensDetailsDto;
}
