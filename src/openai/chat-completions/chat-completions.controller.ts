import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import { recordServedBy } from '../../observability/request-context';
import { CurrentUsageRecord } from '../../usage/current-usage-record.decorator';
import { UsageRecord } from '../../usage/usage-record';
import { ApiErrorResponses } from '../shared/api-error-responses.decorator';
import { abortOnClientClose } from '../shared/client-abort';
import { sendAnswer } from '../shared/send-answer';
import { ChatCompletionsService } from './chat-completions.service';
import { ChatCompletionRequestMessageContentPartTextDto } from './dto/chat-completion-request-message.dto';
import { ChatCompletionChunkDto } from './dto/chat-completion-chunk.dto';
import { ChatCompletionDto } from './dto/chat-completion.dto';
import { CreateChatCompletionRequestDto } from './dto/create-chat-completion-request.dto';

@ApiTags('Chat')
@ApiBearerAuth()
@ApiExtraModels(ChatCompletionChunkDto, ChatCompletionRequestMessageContentPartTextDto)
@Controller('v1/chat/completions')
export class ChatCompletionsController {
  constructor(private readonly chat: ChatCompletionsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a chat completion',
    description: 'With `stream: true` the answer is a `text/event-stream` of `ChatCompletionChunk` events ending with `data: [DONE]`.',
  })
  @ApiOkResponse({ type: ChatCompletionDto })
  @ApiErrorResponses(400, 401, 403, 404, 413, 429, 503)
  @RequireScopes('inference')
  async create(
    @Body() body: CreateChatCompletionRequestDto,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentUsageRecord() record: UsageRecord,
  ): Promise<void> {
    const signal = abortOnClientClose(res);
    const generation = await this.chat.start(body, signal, record.keyId);
    recordServedBy(req, generation);
    await sendAnswer(res, record, {
      stream: Boolean(body.stream),
      complete: () => this.chat.complete(body, generation),
      events: () => this.chat.chunks(body, generation),
    });
  }
}
