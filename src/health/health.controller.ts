import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ModelRegistry } from '../inference/model-registry.service';
import { HealthDto } from './dto/health.dto';

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(private readonly registry: ModelRegistry) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Readiness: 200 when every model is loaded; 503 while they load or if one failed (no API key needed)' })
  @ApiResponse({ status: 200, type: HealthDto })
  @ApiResponse({ status: 503, type: HealthDto })
  check(@Res({ passthrough: true }) res: Response): HealthDto {
    const status = this.registry.status;
    res.status(status === 'ok' ? 200 : 503);
    return { status, models: this.registry.list().map((m) => ({ id: m.id, loaded: m.loaded, ...(m.loadFailed ? { failed: true } : {}) })) };
  }
}
