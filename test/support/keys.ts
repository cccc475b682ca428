import { runCli } from './server';

export interface CreatedKey {
  id: string;
  name: string;
  key: string;
}

/** Creates a managed key with the real CLI in `dataDir` and returns its JSON (with the clear key). */
export async function createKey(dataDir: string, name: string, ...flags: string[]): Promise<CreatedKey> {
  const { code, output } = await runCli(['keys', 'create', '--name', name, ...flags, '--json'], { LLAMANEST_DATA_DIR: dataDir });
  if (code !== 0) throw new Error(`keys create failed (${code}): ${output}`);
  return JSON.parse(output) as CreatedKey;
}

/** Runs a CLI command against `dataDir` and parses its JSON output. */
export async function cliJson<T>(dataDir: string, args: string[]): Promise<T> {
  const { code, output } = await runCli([...args, '--json'], { LLAMANEST_DATA_DIR: dataDir });
  if (code !== 0) throw new Error(`llamanest ${args.join(' ')} failed (${code}): ${output}`);
  return JSON.parse(output) as T;
}

export interface LedgerRow {
  time: string;
  key_id: string;
  key_name: string;
  model: string | null;
  endpoint: string;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  ttft_ms: number | null;
  duration_ms: number;
  status: number;
  aborted: boolean;
}

export const ledgerRows = (dataDir: string, ...filters: string[]) => cliJson<LedgerRow[]>(dataDir, ['usage', '--requests', ...filters]);

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
