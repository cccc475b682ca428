export class TopLogprobDto {
  /** The token's text. */
  token: string;

  /** Natural log of its probability. */
  logprob: number;

  /** The UTF-8 bytes of the token. */
  bytes: number[] | null;
}

/** One generated token with its log probability (OpenAI's `ChatCompletionTokenLogprob`). */
export class ChatCompletionTokenLogprobDto {
  token: string;

  /** Natural log of the probability the model gave this token. */
  logprob: number;

  bytes: number[] | null;

  /** The likeliest tokens at this position (`top_logprobs` of them), likeliest first. */
  top_logprobs: TopLogprobDto[];
}

export class ChatCompletionChoiceLogprobsDto {
  /** One entry per generated content token. */
  content: ChatCompletionTokenLogprobDto[] | null;

  /** Always null. */
  refusal: ChatCompletionTokenLogprobDto[] | null;
}
