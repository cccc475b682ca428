import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UsageRecord } from '../../usage/usage-record';
import { toApiError } from './error-mapping';
import { SseWriter } from './sse-writer';

/**
 * Every error leaves the server as the OpenAI envelope `{"error":{message,type,param,code}}`;
 * on a stream that already started, as an SSE error event followed by `data: [DONE]`.
 */
@Catch()
export class OpenAIExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const error = toApiError(exception, request);
    if (error.status >= 500 && error.status !== 503) {
      this.logger.error(`${request.method} ${request.url}: ${(exception as Error)?.stack ?? String(exception)}`);
    }
    UsageRecord.of(request)?.commit(error.status, error.status === 499);
    if (response.headersSent || response.destroyed) {
      if (SseWriter.isOpenOn(response)) void new SseWriter(response).fail(error.toEnvelope());
      else if (!response.writableEnded) response.end();
      return;
    }
    response.status(error.status).set(error.headers).json(error.toEnvelope());
  }
}
