import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ManagedKeyRepository } from '../auth/managed-key.repository';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { keyNames } from '../usage/key-names';
import { ApiErrorResponses } from '../openai/shared/api-error-responses.decorator';
import { AdminUsageQueryDto, UsageReportDto } from '../usage/dto/usage.dto';
import { toTimeFilter, toUsageBuckets } from '../usage/usage-report';
import { UsageLedger } from '../usage/usage-ledger';

@ApiTags('Admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('admin/usage')
export class AdminUsageController {
  constructor(
    private readonly ledger: UsageLedger,
    private readonly keys: ManagedKeyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Usage of all keys: totals per day (UTC), key and model, optionally filtered' })
  @ApiOkResponse({ type: UsageReportDto })
  @ApiErrorResponses(400, 401, 403)
  get(@Query() query: AdminUsageQueryDto): UsageReportDto {
    const names = keyNames(this.keys, this.config);
    const keyIds = query.key === undefined ? undefined : [...names].filter(([id, name]) => id === query.key || name === query.key).map(([id]) => id);
    const totals = this.ledger.totals({ keyIds, model: query.model, ...toTimeFilter(query) });
    return { object: 'list', data: toUsageBuckets(totals, names) };
  }
}

