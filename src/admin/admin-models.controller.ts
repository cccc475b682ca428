import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ModelInfo } from '../inference/inference.types';
import { ModelRegistry } from '../inference/model-registry.service';
import { ApiErrorResponses } from '../openai/shared/api-error-responses.decorator';
import { AdminModelDto } from './dto/admin-model.dto';

@ApiTags('Admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('admin/models')
export class AdminModelsController {
  constructor(private readonly registry: ModelRegistry) {}

  @Post(':model/load')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load a model now (evicting idle ones if needed); retries a model whose load failed' })
  @ApiOkResponse({ type: AdminModelDto })
  @ApiErrorResponses(401, 404, 503)
  async load(@Param('model') model: string): Promise<AdminModelDto> {
    return toAdminModelDto(await this.registry.loadModel(model));
  }

  @Post(':model/unload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unload a model now; 409 while requests use it' })
  @ApiOkResponse({ type: AdminModelDto })
  @ApiErrorResponses(401, 404, 409)
  async unload(@Param('model') model: string): Promise<AdminModelDto> {
    return toAdminModelDto(await this.registry.unloadModel(model));
  }
}

function toAdminModelDto(info: ModelInfo): AdminModelDto {
  return { id: info.id, object: 'model', loaded: info.loaded, failed: info.loadFailed, context_length: info.contextLength ?? null };
}
