import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { ApiKeyPrincipal } from '../../auth/api-key-principal';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import { recordServedBy } from '../../observability/request-context';
import { CurrentUsageRecord } from '../../usage/current-usage-record.decorator';
import { UsageRecord } from '../../usage/usage-record';
import { ApiErrorResponses } from '../shared/api-error-responses.decorator';
import { abortOnClientClose } from '../shared/client-abort';
import { sendAnswer } from '../shared/send-answer';
import { CreateResponseRequestDto } from './dto/create-response-request.dto';
import { DeletedResponseDto, ResponseDto, ResponseFunctionToolCallDto, ResponseOutputMessageDto, ResponseStreamEventDto } from './dto/response.dto';
import { ResponseToolChoiceFunctionDto } from './dto/response-tool.dto';
import { ResponsesService } from './responses.service';

@ApiTags('Responses')
@ApiBearerAuth()
@ApiExtraModels(ResponseStreamEventDto, ResponseOutputMessageDto, ResponseFunctionToolCallDto, ResponseToolChoiceFunctionDto)
@Controller('v1/responses')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a model response',
    description:
      'With `stream: true` the answer is a `text/event-stream` of typed events (`event: <type>`, `data: ResponseStreamEvent`) ending after `response.completed` (or `response.incomplete`).',
  })
  @ApiOkResponse({ type: ResponseDto })
  @ApiErrorResponses(400, 401, 403, 404, 413, 429, 503)
  @RequireScopes('inference')
  async create(
    @Body() body: CreateResponseRequestDto,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentUsageRecord() record: UsageRecord,
  ): Promise<void> {
    const signal = abortOnClientClose(res);
    const job = await this.responses.start(body, signal, record.keyId);
    recordServedBy(req, job.generation);
    await sendAnswer(res, record, {
      stream: Boolean(body.stream),
      complete: () => this.responses.complete(job),
      events: () => this.responses.events(job),
      framing: 'typed',
    });
  }

  @Get(':response_id')
  @ApiOperation({ summary: 'Retrieve a stored response', description: 'Responses are kept (with `store`, the default) for 30 days; each API key sees only its own.' })
  @ApiOkResponse({ type: ResponseDto })
  @ApiErrorResponses(401, 403, 404)
  @RequireScopes('inference')
  get(@Param('response_id') id: string, @CurrentPrincipal() principal: ApiKeyPrincipal): ResponseDto {
    return this.responses.find(principal.keyId, id);
  }

  @Delete(':response_id')
  @ApiOperation({ summary: 'Delete a stored response' })
  @ApiOkResponse({ type: DeletedResponseDto })
  @ApiErrorResponses(401, 403, 404)
  @RequireScopes('inference')
  delete(@Param('response_id') id: string, @CurrentPrincipal() principal: ApiKeyPrincipal): DeletedResponseDto {
    this.responses.delete(principal.keyId, id);
    return { id, object: 'response', deleted: true };
  }
}
