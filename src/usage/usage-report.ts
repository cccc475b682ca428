import { ApiError } from '../openai/shared/api-error';
import { UsageBucketDto, UsageQueryDto } from './dto/usage.dto';
import { parseMoment } from './time-range';
import { UsageFilter, UsageTotals } from './usage-ledger';

export function toUsageBuckets(totals: UsageTotals[], keyNames: ReadonlyMap<string, string>): UsageBucketDto[] {
  return totals.map((t) => ({
    date: t.date,
    key_id: t.keyId,
    key_name: keyNames.get(t.keyId) ?? t.keyId,
    model: t.model,
    requests: t.requests,
    prompt_tokens: t.promptTokens,
    completion_tokens: t.completionTokens,
    cached_tokens: t.cachedTokens,
    total_tokens: t.promptTokens + t.completionTokens,
  }));
}

/** The since/until part of a ledger filter, from the query string. */
export function toTimeFilter(query: UsageQueryDto): Pick<UsageFilter, 'since' | 'until'> {
  const moment = (value: string | undefined, param: string) => {
    if (value === undefined) return undefined;
    const ms = parseMoment(value);
    if (ms === undefined) throw ApiError.invalidRequest(`'${param}' is not a valid date.`, param, 'invalid_value');
    return ms;
  };
  return { since: moment(query.since, 'since'), until: moment(query.until, 'until') };
}
