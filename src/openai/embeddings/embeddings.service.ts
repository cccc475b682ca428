import { Injectable } from '@nestjs/common';
import { EmbeddingService } from '../../inference/embedding.service';
import { CreateEmbeddingRequestDto } from './dto/create-embedding-request.dto';
import { CreateEmbeddingResponseDto } from './dto/create-embedding-response.dto';

/** Translates embeddings requests to the engine and its vectors to OpenAI's response. */
@Injectable()
export class EmbeddingsService {
  constructor(private readonly embeddings: EmbeddingService) {}

  async create(body: CreateEmbeddingRequestDto, signal: AbortSignal): Promise<CreateEmbeddingResponseDto> {
    const result = await this.embeddings.embed({ model: body.model, input: body.input, dimensions: body.dimensions }, signal);
    const encode = body.encoding_format === 'base64' ? toBase64 : toFloat32Numbers;
    return {
      object: 'list',
      data: result.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: encode(vector) })),
      model: result.modelId,
      usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    };
  }
}

/** Float32 values, so that both encodings carry exactly the same numbers. */
function toFloat32Numbers(vector: number[]): number[] {
  return Array.from(Float32Array.from(vector));
}

function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}
