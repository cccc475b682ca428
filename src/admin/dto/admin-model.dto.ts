/** A configured model and its lifecycle state, as the admin routes report it. */
export class AdminModelDto {
  id: string;

  /** Always `model`. */
  object: 'model';

  /** Whether the model is loaded now. */
  loaded: boolean;

  /** Whether the model's last load failed (the reason is in the server log). */
  failed: boolean;

  /** Tokens one request can hold (prompt + completion); null until the model has been loaded. */
  context_length: number | null;
}
