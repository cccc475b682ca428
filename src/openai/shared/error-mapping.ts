import { HttpException } from '@nestjs/common';
import { KeyNameTakenError, KeyNotFoundError } from '../../auth/managed-key';
import {
  ContextLengthExceededError,
  GenerationAbortedError,
  InsufficientMemoryError,
  InvalidGenerationRequestError,
  ModelCapacityError,
  ModelInUseError,
  ModelLoadError,
  ModelNotFoundError,
  QueueFullError,
  ServerShuttingDownError,
} from '../../inference/inference.errors';
import { InputTooLongError, InvalidTokenError, ModelCapabilityError, UnsupportedDimensionsError } from '../../inference/request.errors';
import { ApiError } from './api-error';

/** Maps any exception to the OpenAI error it should be on the wire. The single place for this. */
export function toApiError(exception: unknown, request?: { method?: string; url?: string }): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof ModelNotFoundError) return new ApiError(404, exception.message, 'invalid_request_error', 'model', 'model_not_found');
  if (exception instanceof ContextLengthExceededError) {
    return new ApiError(400, exception.message, 'invalid_request_error', 'messages', 'context_length_exceeded');
  }
  if (exception instanceof QueueFullError) {
    return new ApiError(503, exception.message, 'server_error', null, 'server_overloaded', { 'Retry-After': String(exception.retryAfterSeconds) });
  }
  if (exception instanceof ModelLoadError) return new ApiError(503, exception.message, 'server_error', 'model', 'model_not_available');
  if (exception instanceof InsufficientMemoryError) {
    return new ApiError(503, exception.message, 'server_error', 'model', 'insufficient_memory', { 'Retry-After': '10' });
  }
  if (exception instanceof ModelCapacityError) {
    return new ApiError(503, exception.message, 'server_error', 'model', 'model_capacity_reached', { 'Retry-After': String(exception.retryAfterSeconds) });
  }
  if (exception instanceof ModelInUseError) return new ApiError(409, exception.message, 'invalid_request_error', null, 'model_in_use');
  if (exception instanceof InvalidGenerationRequestError) return ApiError.invalidRequest(exception.message, exception.param);
  if (exception instanceof ModelCapabilityError) return ApiError.invalidRequest(exception.message, 'model', 'model_not_supported');
  if (exception instanceof InputTooLongError) {
    return ApiError.invalidRequest(exception.message, exception.index === undefined ? 'input' : `input[${exception.index}]`, 'context_length_exceeded');
  }
  if (exception instanceof InvalidTokenError) {
    return ApiError.invalidRequest(exception.message, exception.field + exception.path.map((i) => `[${i}]`).join(''), 'invalid_value');
  }
  if (exception instanceof UnsupportedDimensionsError) return ApiError.invalidRequest(exception.message, 'dimensions', 'invalid_value');
  if (exception instanceof ServerShuttingDownError) {
    return new ApiError(503, exception.message, 'server_error', null, 'server_shutting_down', { 'Retry-After': '5', Connection: 'close' });
  }
  if (exception instanceof GenerationAbortedError) return new ApiError(499, exception.message, 'invalid_request_error', null, 'client_closed_request');
  if (exception instanceof KeyNotFoundError) return new ApiError(404, exception.message, 'invalid_request_error', null, 'api_key_not_found');
  if (exception instanceof KeyNameTakenError) return new ApiError(409, exception.message, 'invalid_request_error', 'name', 'api_key_name_taken');
  if (exception instanceof HttpException) return fromHttpException(exception, request);
  return new ApiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error');
}

function fromHttpException(exception: HttpException, request?: { method?: string; url?: string }): ApiError {
  const status = exception.getStatus();
  if (status === 404) {
    const path = request?.url?.split('?')[0] ?? '';
    return new ApiError(404, `Unknown request URL: ${request?.method ?? 'GET'} ${path}. Please check the URL for typos.`, 'invalid_request_error', null, 'unknown_url');
  }
  if (status === 413) return new ApiError(413, 'The request body is too large.', 'invalid_request_error', null, 'request_too_large');
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  return new ApiError(status, exception.message, type);
}
