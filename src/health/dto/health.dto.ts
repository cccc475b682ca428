export class HealthModelDto {
  id: string;
  loaded: boolean;
}

export class HealthDto {
  /** `ok` when every configured model has loaded, `loading` before. */
  status: 'ok' | 'loading';

  models: HealthModelDto[];
}
