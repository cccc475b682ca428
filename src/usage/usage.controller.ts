import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '../auth/api-key-principal';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { ApiErrorResponses } from '../openai/shared/api-error-responses.decorator';
import { UsageQueryDto, UsageReportDto } from './dto/usage.dto';
import { toTimeFilter, toUsageBuckets } from './usage-report';
import { UsageLedger } from './usage-ledger';

@ApiTags('Usage')
@ApiBearerAuth()
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly ledger: UsageLedger) {}

  @Get()
  @ApiOperation({ summary: "The calling key's own usage: totals per day (UTC) and model" })
  @ApiOkResponse({ type: UsageReportDto })
  @ApiErrorResponses(400, 401)
  get(@Query() query: UsageQueryDto, @CurrentPrincipal() principal: ApiKeyPrincipal): UsageReportDto {
    const totals = this.ledger.totals({ keyIds: [principal.keyId], ...toTimeFilter(query) });
    return { object: 'list', data: toUsageBuckets(totals, new Map([[principal.keyId, principal.name]])) };
  }
}
