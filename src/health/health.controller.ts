import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ModelRegistry } from '../inference/model-registry.service';
import { HealthDto } from './dto/health.dto';
import { ReadyDto } from './dto/ready.dto';

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(private readonly registry: ModelRegistry) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP (no API key needed)' })
  @ApiResponse({ status: 200, type: HealthDto })
  health(): HealthDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: 200 once the preloaded models are loaded; 503 while they load or if one failed (no API key needed)' })
  @ApiResponse({ status: 200, type: ReadyDto })
  @ApiResponse({ status: 503, type: ReadyDto })
  ready(@Res({ passthrough: true }) res: Response): ReadyDto {
    const status = this.registry.readiness;
    res.status(status === 'ready' ? 200 : 503);
    return {
      status,
      models: this.registry.list().map((m) => ({ id: m.id, loaded: m.loaded, preload: m.preload, ...(m.loadFailed ? { failed: true } : {}) })),
    };
  }
}
