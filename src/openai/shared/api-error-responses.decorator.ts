import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

export class ErrorDto {
  /** What went wrong, for humans. */
  message: string;

  /** `invalid_request_error`, `authentication_error`, `server_error`, ... */
  type: string;

  /** The request parameter at fault, e.g. `messages[0].content`, or null. */
  @ApiProperty({ type: String, nullable: true })
  param: string | null;

  /** A machine-readable code, e.g. `model_not_found`, `context_length_exceeded`, or null. */
  @ApiProperty({ type: String, nullable: true })
  code: string | null;
}

/** The OpenAI error envelope. */
export class ErrorResponseDto {
  error: ErrorDto;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: bad JSON, a bad parameter (named in `param`), or prompt + max_tokens beyond the context',
  401: 'Missing or invalid API key',
  404: 'Unknown model (`model_not_found`) or URL',
  413: 'Request body too large',
  503: 'Model queue full (see `Retry-After`) or model not available',
};

/** Documents the OpenAI error envelope for the given statuses. */
export function ApiErrorResponses(...statuses: number[]) {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })));
}
