import type { Response } from 'express';
import { UsageRecord } from '../../usage/usage-record';
import { SseFraming, SseWriter } from './sse-writer';

export interface Answer<Whole, Event> {
  stream: boolean;
  /** The whole answer (non-streaming). */
  complete(): Promise<Whole>;
  /** The stream's events (streaming). */
  events(): AsyncIterable<Event>;
  framing?: SseFraming;
}

/**
 * Sends a generation's answer as JSON or as a server-sent event stream. The usage record is
 * committed right before the last bytes, so a crash can never lose a request the client saw
 * complete. Errors after the stream opened reach the exception filter, which ends the stream
 * with an error event.
 */
export async function sendAnswer<Whole, Event>(res: Response, record: UsageRecord, answer: Answer<Whole, Event>): Promise<void> {
  if (!answer.stream) {
    const whole = await answer.complete();
    record.commit(200);
    res.json(whole);
    return;
  }
  const sse = new SseWriter(res, answer.framing);
  sse.open();
  for await (const event of answer.events()) await sse.send(event);
  record.commit(200, sse.closed);
  await sse.done();
}
