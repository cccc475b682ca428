/**
 * The facts of one finished HTTP request. Metrics and the request log consume it, and so can any
 * other subscriber of the RequestRecorder (a usage ledger, for one).
 */
export interface RequestRecord {
  requestId: string;
  method: string;
  /** The matched route pattern (`/v1/models/:model`), or `unmatched`: a label of few values. */
  route: string;
  /** The path as requested, without the query. */
  path: string;
  /** The HTTP status sent; 499 when the client left before any response. */
  status: number;
  /** Whether the client closed the connection before the response was complete. */
  aborted: boolean;
  /** The name of the API key used (never the key); undefined without one. */
  keyName?: string;
  /** The canonical id of the model that served the request, when one did. */
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  /** From the request's arrival to its first generated token. */
  timeToFirstTokenSeconds?: number;
  /** Between consecutive generated tokens. */
  interTokenSeconds: number[];
  durationSeconds: number;
  startedAt: Date;
}
