import { ApiError } from '../openai/shared/api-error';

export function permissionDenied(message: string, param: string | null = null): ApiError {
  return new ApiError(403, message, 'invalid_request_error', param, 'permission_denied');
}
