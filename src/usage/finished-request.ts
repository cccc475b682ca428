/**
 * The facts of one finished request to a metered endpoint: what the usage ledger stores and what
 * anything else (metrics, logs) may subscribe to through UsageRecorder.
 */
export interface FinishedRequest {
  /** Unix milliseconds when the request finished. */
  finishedAt: number;
  /** The API key's id (`key_…`, `static-N` or `anonymous`), never the key itself. */
  keyId: string;
  keyName: string;
  /** The canonical model id once resolved, else the name the client sent (null when none). */
  model: string | null;
  /** Route, e.g. `/v1/chat/completions`. */
  endpoint: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Milliseconds until the first generated text; null when none was generated. */
  timeToFirstTokenMs: number | null;
  durationMs: number;
  /** The HTTP status the client got (an error after a stream started: that error's status; 499: client went away). */
  status: number;
  /** The client disconnected before the response was complete. */
  aborted: boolean;
}
