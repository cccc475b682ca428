const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30d`, `12h`, `90m`, `2w` in milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([mhdw])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) return undefined;
  return Number(match[1]) * UNITS[match[2]];
}

/**
 * A moment given as an ISO 8601 date (`2025-06-01`, midnight UTC) or date-time, or as a duration
 * back from now (`7d`, `24h`). Undefined when it is neither.
 */
export function parseMoment(text: string, now = Date.now()): number | undefined {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : ms;
}
