import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { UsageRecord } from './usage-record';

/** The usage record MeteringGuard started for this request (metered routes only). */
export const CurrentUsageRecord = createParamDecorator((_data: unknown, context: ExecutionContext): UsageRecord => {
  const record = UsageRecord.of(context.switchToHttp().getRequest<Request>());
  if (!record) throw new Error('no request record: the route is not metered (it needs the inference or embeddings scope)');
  return record;
});
