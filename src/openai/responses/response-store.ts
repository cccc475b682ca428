import { Database } from '../../database/open-database';
import { ResponseDto } from './dto/response.dto';
import { InputItem } from './response-input';

/** A stored response and the conversation items that came before its output. */
export interface StoredResponse {
  response: ResponseDto;
  /** Input items of the whole conversation up to this response (earlier responses' included). */
  history: InputItem[];
}

export interface ResponseStoreLimits {
  /** Responses older than this are dropped (milliseconds). */
  maxAgeMs: number;
  /** At most this many responses are kept; the oldest go first. */
  maxCount: number;
}

/** OpenAI keeps stored responses for 30 days. */
export const DEFAULT_RESPONSE_STORE_LIMITS: ResponseStoreLimits = { maxAgeMs: 30 * 24 * 3600 * 1000, maxCount: 10_000 };

/**
 * Responses created with `store` (the default), for `previous_response_id` and
 * `GET`/`DELETE /v1/responses/{id}`. Each belongs to the API key that created it; other keys do not
 * see it. Bounded by age and count, pruned on every write.
 */
export class ResponseStore {
  private readonly insert;
  private readonly select;
  private readonly remove;
  private readonly pruneAge;
  private readonly pruneCount;

  constructor(
    db: Database,
    private readonly limits: ResponseStoreLimits = DEFAULT_RESPONSE_STORE_LIMITS,
  ) {
    this.insert = db.prepare('INSERT INTO responses (id, key_id, created_at, response, history) VALUES (?, ?, ?, ?, ?)');
    this.select = db.prepare('SELECT response, history FROM responses WHERE id = ? AND key_id = ? AND created_at >= ?');
    this.remove = db.prepare('DELETE FROM responses WHERE id = ? AND key_id = ?');
    this.pruneAge = db.prepare('DELETE FROM responses WHERE created_at < ?');
    this.pruneCount = db.prepare('DELETE FROM responses WHERE id IN (SELECT id FROM responses ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)');
  }

  save(keyId: string, stored: StoredResponse): void {
    const now = Date.now();
    this.insert.run(stored.response.id, keyId, now, JSON.stringify(stored.response), JSON.stringify(stored.history));
    this.pruneAge.run(now - this.limits.maxAgeMs);
    this.pruneCount.run(this.limits.maxCount);
  }

  find(keyId: string, id: string): StoredResponse | undefined {
    const row = this.select.get(id, keyId, Date.now() - this.limits.maxAgeMs) as { response: string; history: string } | undefined;
    return row && { response: JSON.parse(row.response) as ResponseDto, history: JSON.parse(row.history) as InputItem[] };
  }

  delete(keyId: string, id: string): boolean {
    return this.remove.run(id, keyId).changes > 0;
  }
}
