import type { ModelConfig } from '../config/config.schema';

/** What a model can be used for; `GET /v1/models` lists these. */
export type ModelCapability = 'chat' | 'embeddings';

/** The one place that decides what each configured model serves. */
export function modelCapabilities(config: Pick<ModelConfig, 'embedding'>): ModelCapability[] {
  // Every generative model can also embed, through a separate embedding context created on first use.
  return config.embedding ? ['embeddings'] : ['chat', 'embeddings'];
}
