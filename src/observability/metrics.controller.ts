import { Controller, Get, Header, Inject, NotFoundException, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { MetricsService } from './metrics.service';

@ApiTags('Observability')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Needs a key with the `metrics` scope (when keys exist) and the `metrics` config switch. */
  @Get()
  @RequireScopes('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format); off with `metrics: false`' })
  @ApiOkResponse({ description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Req() req: Request): Promise<string> {
    if (!this.config.metrics) throw new NotFoundException();
    req.res!.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
