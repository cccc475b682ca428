import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelInfo } from '../../inference/inference.types';
import { ModelRegistry } from '../../inference/model-registry.service';
import { ApiErrorResponses } from '../shared/api-error-responses.decorator';
import { ListModelsResponseDto, ModelDto } from './dto/model.dto';

@ApiTags('Models')
@ApiBearerAuth()
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly registry: ModelRegistry) {}

  @Get()
  @ApiOperation({ summary: 'List the models this server serves' })
  @ApiOkResponse({ type: ListModelsResponseDto })
  @ApiErrorResponses(401)
  list(): ListModelsResponseDto {
    return { object: 'list', data: this.registry.list().map(toModelDto) };
  }

  @Get(':model')
  @ApiOperation({ summary: 'Describe one model (by id or alias)' })
  @ApiOkResponse({ type: ModelDto })
  @ApiErrorResponses(401, 404)
  get(@Param('model') model: string): ModelDto {
    return toModelDto(this.registry.describe(model));
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
