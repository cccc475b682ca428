import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ManagedKeyRepository } from '../auth/managed-key.repository';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ApiErrorResponses } from '../openai/shared/api-error-responses.decorator';
import { parseDuration } from '../usage/time-range';
import { RateLimiter } from '../usage/rate-limiter.service';
import { toApiKeyDto } from './api-key-view';
import { ApiKeyDto, CreatedApiKeyDto, ListApiKeysResponseDto } from './dto/api-key.dto';
import { CreateApiKeyRequestDto } from './dto/create-api-key-request.dto';

@ApiTags('Admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('admin/keys')
export class AdminKeysController {
  constructor(
    private readonly keys: ManagedKeyRepository,
    private readonly limiter: RateLimiter,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List managed API keys (never the keys themselves)' })
  @ApiQuery({ name: 'include_revoked', required: false, type: Boolean })
  @ApiOkResponse({ type: ListApiKeysResponseDto })
  @ApiErrorResponses(401, 403)
  list(@Query('include_revoked') includeRevoked?: string): ListApiKeysResponseDto {
    const keys = this.keys.list({ includeRevoked: includeRevoked === 'true' });
    return { object: 'list', data: keys.map((k) => toApiKeyDto(k, this.limiter.inFlight(k.id))) };
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; the answer is the only time the clear key is shown' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrorResponses(400, 401, 403, 409)
  create(@Body() body: CreateApiKeyRequestDto): CreatedApiKeyDto {
    const { key, secret } = this.keys.create({
      name: body.name,
      models: body.models,
      scopes: body.scopes,
      limits: { rpm: body.rpm ?? null, tpm: body.tpm ?? null, tpd: body.tpd ?? null, concurrency: body.concurrency ?? null },
      expiresAt: body.expires_in === undefined ? null : Date.now() + parseDuration(body.expires_in)!,
    });
    return { ...toApiKeyDto(key), key: secret };
  }

  @Delete(':key')
  @ApiOperation({ summary: 'Revoke a key (by id or name); it stops working at once' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiErrorResponses(401, 403, 404)
  revoke(@Param('key') idOrName: string): ApiKeyDto {
    return toApiKeyDto(this.keys.revoke(idOrName));
  }

  @Post(':key/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace a key (by id or name) with a new one, keeping its settings; the old one stops working at once' })
  @ApiOkResponse({ type: CreatedApiKeyDto })
  @ApiErrorResponses(401, 403, 404)
  rotate(@Param('key') idOrName: string): CreatedApiKeyDto {
    const { key, secret } = this.keys.rotate(idOrName);
    return { ...toApiKeyDto(key, this.limiter.inFlight(key.id)), key: secret };
  }
}
