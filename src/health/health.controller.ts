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
  @ApiOperation({ summary: 'Readiness: 200 when the models are loaded, 503 while they load (no API key needed)' })
  @ApiResponse({ status: 200, type: HealthDto })
  @ApiResponse({ status: 503, type: HealthDto })
  check(@Res({ passthrough: true }) res: Response): HealthDto {
    const ready = this.registry.ready;
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'loading', models: this.registry.list().map((m) => ({ id: m.id, loaded: m.loaded })) };
  }
}
