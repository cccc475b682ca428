import BetterSqlite3 from 'better-sqlite3';
import { migrate } from '../../database/open-database';
import { ResponseDto } from './dto/response.dto';
import { ResponseStore } from './response-store';

const response = (id: string) => ({ id, object: 'response', output: [] }) as unknown as ResponseDto;

describe('ResponseStore', () => {
  const open = () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    return db;
  };

  it('keeps responses per key: other keys neither find nor delete them', () => {
    const store = new ResponseStore(open());
    store.save('key_a', { response: response('resp_1'), history: [{ role: 'user', content: 'Hi' }] });
    expect(store.find('key_a', 'resp_1')).toEqual({ response: response('resp_1'), history: [{ role: 'user', content: 'Hi' }] });
    expect(store.find('key_b', 'resp_1')).toBeUndefined();
    expect(store.delete('key_b', 'resp_1')).toBe(false);
    expect(store.delete('key_a', 'resp_1')).toBe(true);
    expect(store.find('key_a', 'resp_1')).toBeUndefined();
  });

  it('keeps at most maxCount responses, dropping the oldest', () => {
    const store = new ResponseStore(open(), { maxAgeMs: 60_000, maxCount: 2 });
    for (const id of ['resp_1', 'resp_2', 'resp_3']) store.save('k', { response: response(id), history: [] });
    expect(store.find('k', 'resp_1')).toBeUndefined();
    expect(store.find('k', 'resp_2')).toBeDefined();
    expect(store.find('k', 'resp_3')).toBeDefined();
  });

  it('forgets responses older than maxAgeMs', () => {
    const db = open();
    const store = new ResponseStore(db, { maxAgeMs: 60_000, maxCount: 10 });
    store.save('k', { response: response('resp_old'), history: [] });
    db.prepare('UPDATE responses SET created_at = created_at - 61000').run();
    expect(store.find('k', 'resp_old')).toBeUndefined();
    store.save('k', { response: response('resp_new'), history: [] });
    expect(db.prepare('SELECT id FROM responses').all()).toEqual([{ id: 'resp_new' }]);
  });
});
