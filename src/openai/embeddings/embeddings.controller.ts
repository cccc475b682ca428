import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import { recordServedBy } from '../../observability/request-context';
import { CurrentUsageRecord } from '../../usage/current-usage-record.decorator';
import { UsageRecord } from '../../usage/usage-record';
import { ApiErrorResponses } from '../shared/api-error-responses.decorator';
import { abortOnClientClose } from '../shared/client-abort';
import { CreateEmbeddingRequestDto } from './dto/create-embedding-request.dto';
import { CreateEmbeddingResponseDto } from './dto/create-embedding-response.dto';
import { EmbeddingsService } from './embeddings.service';

@ApiTags('Embeddings')
@ApiBearerAuth()
@Controller('v1/embeddings')
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create embeddings',
    description:
      'Embeds one input or a batch with the model\'s embedding context (created on first use, then reused). ' +
      'Vectors are L2-normalized; `usage.prompt_tokens` counts the evaluated tokens.',
  })
  @ApiOkResponse({ type: CreateEmbeddingResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 413, 429, 503)
  @RequireScopes('embeddings')
  async create(
    @Body() body: CreateEmbeddingRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentUsageRecord() record: UsageRecord,
  ): Promise<CreateEmbeddingResponseDto> {
    const response = await this.embeddings.create(body, abortOnClientClose(res));
    recordServedBy(req, { modelId: response.model, usage: { promptTokens: response.usage.prompt_tokens, completionTokens: 0, cachedPromptTokens: 0 } });
    record.commit(200);
    return response;
  }
}
