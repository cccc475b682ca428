import { ApiProperty } from '@nestjs/swagger';

/** A model served by llamanest (OpenAI's `Model`, plus llamanest's extension fields). */
export class ModelDto {
  /** The id to send as `model`. */
  id: string;

  /** Always `model`. */
  object: 'model';

  /** Unix time (seconds) when the model was registered with this server. */
  created: number;

  /** Always `llamanest`. */
  owned_by: string;

  /** Extension: tokens one request can hold (prompt + completion); null until the model has been loaded once (unless configured). */
  context_length: number | null;

  /** Extension: whether the model is loaded and ready to serve. */
  loaded: boolean;

  /** Extension: other names that resolve to this model. */
  aliases: string[];

  /** Extension: what the model serves: `chat` (`/v1/chat/completions`), `embeddings` (`/v1/embeddings`). */
  @ApiProperty({ type: [String], example: ['chat', 'completions', 'tools', 'json_schema', 'embeddings'] })
  capabilities: string[];
}

/** OpenAI's `ListModelsResponse`. */
export class ListModelsResponseDto {
  /** Always `list`. */
  object: 'list';

  data: ModelDto[];
}
