import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyPrincipal } from '../../auth/api-key-principal';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { ModelAccessPolicy } from '../../auth/model-access.policy';
import { ModelInfo } from '../../inference/inference.types';
import { ModelRegistry } from '../../inference/model-registry.service';
import { ApiErrorResponses } from '../shared/api-error-responses.decorator';
import { ListModelsResponseDto, ModelDto } from './dto/model.dto';

@ApiTags('Models')
@ApiBearerAuth()
@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly access: ModelAccessPolicy,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List the models this server serves that the API key may use' })
  @ApiOkResponse({ type: ListModelsResponseDto })
  @ApiErrorResponses(401)
  list(@CurrentPrincipal() principal: ApiKeyPrincipal): ListModelsResponseDto {
    return { object: 'list', data: this.registry.list().filter((m) => this.access.allows(principal, m)).map(toModelDto) };
  }

  @Get(':model')
  @ApiOperation({ summary: 'Describe one model (by id or alias)' })
  @ApiOkResponse({ type: ModelDto })
  @ApiErrorResponses(401, 403, 404)
  get(@Param('model') model: string, @CurrentPrincipal() principal: ApiKeyPrincipal): ModelDto {
    const info = this.registry.describe(model);
    this.access.check(principal, model);
    return toModelDto(info);
  }
}

function toModelDto(info: ModelInfo): ModelDto {
  return {
    id: info.id,
    object: 'model',
    created: info.created,
    owned_by: 'llamanest',
    context_length: info.contextLength ?? null,
    loaded: info.loaded,
    aliases: info.aliases,
    capabilities: info.capabilities,
  };
}
