export class ReadyModelDto {
  id: string;

  /** Whether the model is loaded now (models without `preload` load on first use). */
  loaded: boolean;

  /** Whether the model is loaded at boot; `/ready` waits for these. */
  preload: boolean;

  /** Present and true when the model failed to load (the reason is in the server log). */
  failed?: boolean;
}

/** Readiness: whether the models configured with `preload` are loaded. */
export class ReadyDto {
  /** `ready` once every preloaded model is loaded, `loading` before, `error` when one of them failed to load. */
  status: 'ready' | 'loading' | 'error';

  models: ReadyModelDto[];
}
