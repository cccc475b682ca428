import type { ModelConfig } from '../config/config.schema';

/** What a model can be used for; `GET /v1/models` lists these. */
export type ModelCapability = 'chat' | 'completions' | 'tools' | 'json_schema' | 'embeddings';

/** The one place that decides what each configured model serves. */
export function modelCapabilities(config: Pick<ModelConfig, 'embedding'>): ModelCapability[] {
  // Every generative model calls tools and follows JSON schemas (both enforced by grammars), and can
  // also embed, through a separate embedding context created on first use.
  return config.embedding ? ['embeddings'] : ['chat', 'completions', 'tools', 'json_schema', 'embeddings'];
}
