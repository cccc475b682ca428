import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import { recordServedBy } from '../../observability/request-context';
import { CurrentUsageRecord } from '../../usage/current-usage-record.decorator';
import { UsageRecord } from '../../usage/usage-record';
import { ApiErrorResponses } from '../shared/api-error-responses.decorator';
import { abortOnClientClose } from '../shared/client-abort';
import { sendAnswer } from '../shared/send-answer';
import { CompletionsService } from './completions.service';
import { CompletionDto } from './dto/completion.dto';
import { CreateCompletionRequestDto } from './dto/create-completion-request.dto';

@ApiTags('Completions')
@ApiBearerAuth()
@Controller('v1/completions')
export class CompletionsController {
  constructor(private readonly completions: CompletionsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a completion (legacy)',
    description:
      'Continues the prompt as written, without a chat template. With `stream: true` the answer is a `text/event-stream` of ' +
      'completion chunks ending with `data: [DONE]`.',
  })
  @ApiOkResponse({ type: CompletionDto })
  @ApiErrorResponses(400, 401, 403, 404, 413, 429, 503)
  @RequireScopes('inference')
  async create(
    @Body() body: CreateCompletionRequestDto,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentUsageRecord() record: UsageRecord,
  ): Promise<void> {
    const signal = abortOnClientClose(res);
    const run = await this.completions.start(body, signal, record.keyId);
    recordServedBy(req, { modelId: run.modelId, usage: run.usage, timing: run.first.timing });
    await sendAnswer(res, record, {
      stream: Boolean(body.stream),
      complete: () => this.completions.complete(body, run),
      events: () => this.completions.chunks(body, run),
    });
  }
}
