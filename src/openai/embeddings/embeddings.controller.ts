import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
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
  @ApiErrorResponses(400, 401, 404, 413, 503)
  create(@Body() body: CreateEmbeddingRequestDto, @Res({ passthrough: true }) res: Response): Promise<CreateEmbeddingResponseDto> {
    return this.embeddings.create(body, abortOnClientClose(res));
  }
}
