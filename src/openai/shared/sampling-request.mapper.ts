import { GenerationRequest } from '../../inference/inference.types';
import { ApiError } from './api-error';
import { SamplingRequestDto } from './dto/sampling-request.dto';

/** The engine's view of the sampling and stop parameters both completion endpoints share. */
export function toSamplingRequest(body: SamplingRequestDto): Pick<GenerationRequest, 'stop' | 'n' | 'sampling' | 'logitBias'> {
  if (body.stream_options && !body.stream) {
    throw ApiError.invalidRequest("'stream_options' is only allowed when 'stream' is true.", 'stream_options');
  }
  return {
    stop: body.stop === undefined || body.stop === null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop,
    n: body.n ?? 1,
    sampling: {
      temperature: body.temperature ?? 1,
      topP: body.top_p ?? undefined,
      topK: body.top_k ?? undefined,
      minP: body.min_p ?? undefined,
      seed: body.seed ?? undefined,
      presencePenalty: body.presence_penalty ?? undefined,
      frequencyPenalty: body.frequency_penalty ?? undefined,
    },
    logitBias: body.logit_bias ?? undefined,
  };
}
