import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import { ApiErrorResponses } from '../../openai/shared/api-error-responses.decorator';
import { DetokenizeRequestDto, DetokenizeResponseDto } from './dto/detokenize.dto';
import { TokenizeRequestDto } from './dto/tokenize-request.dto';
import { TokenizeResponseDto, TokenWithPieceDto } from './dto/tokenize-response.dto';
import { TokenizeService } from './tokenize.service';

/** llama.cpp-style tokenizer routes (not part of OpenAI's API); API keys apply as on `/v1`. */
@ApiTags('Tokenizer')
@ApiBearerAuth()
@ApiExtraModels(TokenWithPieceDto)
@RequireScopes('inference')
@Controller()
export class TokenizeController {
  constructor(private readonly tokenizer: TokenizeService) {}

  @Post('tokenize')
  @HttpCode(200)
  @ApiOperation({ summary: "Tokenize text with a model's tokenizer", description: 'As llama.cpp\'s server `/tokenize`, with `model` to pick the tokenizer.' })
  @ApiOkResponse({ type: TokenizeResponseDto })
  @ApiErrorResponses(400, 401, 404, 503)
  tokenize(@Body() body: TokenizeRequestDto): Promise<TokenizeResponseDto> {
    return this.tokenizer.tokenize(body);
  }

  @Post('detokenize')
  @HttpCode(200)
  @ApiOperation({ summary: 'Turn token ids back into text', description: 'As llama.cpp\'s server `/detokenize`, with `model` to pick the tokenizer.' })
  @ApiOkResponse({ type: DetokenizeResponseDto })
  @ApiErrorResponses(400, 401, 404, 503)
  detokenize(@Body() body: DetokenizeRequestDto): Promise<DetokenizeResponseDto> {
    return this.tokenizer.detokenize(body);
  }
}
