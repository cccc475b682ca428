import { Injectable } from '@nestjs/common';
import { ApiKeyPrincipal } from '../auth/api-key-principal';
import { ApiError } from '../openai/shared/api-error';
import { formatResetDuration, retryAfterSeconds } from './rate-limit-format';
import { UsageLedger } from './usage-ledger';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface KeyState {
  /** Start times of the requests admitted in the last minute. */
  requests: number[];
  inFlight: number;
}

export interface Admission {
  /** The `x-ratelimit-*` headers for this response. */
  headers: Record<string, string>;
  /** Frees the request's concurrency slot (idempotent). */
  release(): void;
}

/**
 * Per-key limits over rolling windows: requests per minute and requests in flight are counted
 * here; tokens per minute and per day come from the usage ledger, i.e. real prompt + completion
 * tokens of finished requests. A request is admitted while a budget is not yet used up.
 */
@Injectable()
export class RateLimiter {
  private readonly states = new Map<string, KeyState>();

  constructor(private readonly ledger: UsageLedger) {}

  /** Admits a request or throws a 429 ApiError; either way `headers` describe the limits. */
  admit(principal: ApiKeyPrincipal, now = Date.now()): Admission {
    const { rpm, tpm, tpd, concurrency } = principal.limits;
    if (rpm === null && tpm === null && tpd === null && concurrency === null) return { headers: {}, release: () => undefined };
    const state = this.state(principal.keyId, now);
    const minuteTokens = tpm === null ? undefined : this.ledger.tokensSince(principal.keyId, now - MINUTE);
    const headers = (admitted: boolean) => ({
      ...(rpm === null ? {} : requestHeaders(rpm, state.requests.length + (admitted ? 1 : 0), state.requests[0] ?? (admitted ? now : undefined), now)),
      ...(tpm === null ? {} : tokenHeaders(tpm, minuteTokens!, now)),
    });
    const refuse = (message: string, type: string, code: string, waitMs: number) =>
      new ApiError(429, message, type, null, code, { ...headers(false), 'Retry-After': retryAfterSeconds(waitMs) });
    const name = principal.name;

    if (concurrency !== null && state.inFlight >= concurrency) {
      throw refuse(
        `Too many concurrent requests for key '${name}': Limit ${concurrency}, in flight ${state.inFlight}. Please retry when one of them has finished.`,
        'requests',
        'rate_limit_exceeded',
        1000,
      );
    }
    if (rpm !== null && state.requests.length >= rpm) {
      const wait = state.requests[0] + MINUTE - now;
      throw refuse(
        `Rate limit reached for key '${name}' on requests per min (RPM): Limit ${rpm}, Used ${state.requests.length}, Requested 1. Please try again in ${formatResetDuration(wait)}.`,
        'requests',
        'rate_limit_exceeded',
        wait,
      );
    }
    if (tpd !== null) {
      const day = this.ledger.tokensSince(principal.keyId, now - DAY);
      if (day.tokens >= tpd) {
        const wait = (day.oldest ?? now) + DAY - now;
        throw refuse(
          `You exceeded the daily token quota of key '${name}': Limit ${tpd}, Used ${day.tokens} in the last 24 hours. Please try again in ${formatResetDuration(wait)}.`,
          'insufficient_quota',
          'insufficient_quota',
          wait,
        );
      }
    }
    if (tpm !== null && minuteTokens!.tokens >= tpm) {
      const wait = (minuteTokens!.oldest ?? now) + MINUTE - now;
      throw refuse(
        `Rate limit reached for key '${name}' on tokens per min (TPM): Limit ${tpm}, Used ${minuteTokens!.tokens}. Please try again in ${formatResetDuration(wait)}.`,
        'tokens',
        'rate_limit_exceeded',
        wait,
      );
    }

    const admittedHeaders = headers(true);
    state.requests.push(now);
    state.inFlight++;
    let released = false;
    return {
      headers: admittedHeaders,
      release: () => {
        if (released) return;
        released = true;
        state.inFlight--;
      },
    };
  }

  /** Requests of a key being served or waiting now. */
  inFlight(keyId: string): number {
    return this.states.get(keyId)?.inFlight ?? 0;
  }

  private state(keyId: string, now: number): KeyState {
    let state = this.states.get(keyId);
    if (!state) this.states.set(keyId, (state = { requests: [], inFlight: 0 }));
    while (state.requests.length > 0 && state.requests[0] <= now - MINUTE) state.requests.shift();
    return state;
  }
}

function requestHeaders(limit: number, used: number, oldest: number | undefined, now: number): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(limit),
    'x-ratelimit-remaining-requests': String(Math.max(0, limit - used)),
    'x-ratelimit-reset-requests': formatResetDuration(oldest === undefined ? 0 : oldest + MINUTE - now),
  };
}

function tokenHeaders(limit: number, window: { tokens: number; oldest: number | null }, now: number): Record<string, string> {
  return {
    'x-ratelimit-limit-tokens': String(limit),
    'x-ratelimit-remaining-tokens': String(Math.max(0, limit - window.tokens)),
    'x-ratelimit-reset-tokens': formatResetDuration(window.oldest === null ? 0 : window.oldest + MINUTE - now),
  };
}
