export class HealthModelDto {
  id: string;

  loaded: boolean;

  /** Present and true when the model failed to load (the reason is in the server log). */
  failed?: boolean;
}

export class HealthDto {
  /** `ok` when every configured model is loaded, `loading` while any still loads, `error` when one failed to load. */
  status: 'ok' | 'loading' | 'error';

  models: HealthModelDto[];
}
