/** What a key may do: call the generation endpoints, the embeddings endpoint, the admin API, read metrics. */
export const SCOPES = ['inference', 'embeddings', 'admin', 'metrics'] as const;
export type Scope = (typeof SCOPES)[number];

export const DEFAULT_SCOPES: Scope[] = ['inference', 'embeddings'];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
