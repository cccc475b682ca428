import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: bad JSON, a bad parameter (named in `param`), or prompt + max_tokens beyond the context',
  401: 'Missing or invalid API key',
  403: 'The API key lacks the scope for this route or may not use this model (`permission_denied`)',
  404: 'Unknown model (`model_not_found`), API key (`api_key_not_found`) or URL',
  409: 'The model is serving requests (`model_in_use`), or an active API key already has this name',
  413: 'Request body too large',
  429: 'A limit of the API key was reached (`rate_limit_exceeded`, or `insufficient_quota` for the daily tokens); see `Retry-After` and `x-ratelimit-*`',
  503:
    'Model queue full (`server_overloaded`, see `Retry-After`), model failed to load (`model_not_available`), or it cannot be loaded now: ' +
    'not enough memory (`insufficient_memory`) or every loaded model busy (`model_capacity_reached`)',
};

/** Documents the OpenAI error envelope for the given statuses. */
export function ApiErrorResponses(...statuses: number[]) {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })));
}
