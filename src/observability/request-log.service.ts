import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { RequestRecord } from './request-record';
import { RequestRecorder } from './request-recorder.service';

/** Probes that would flood the log at info level. */
const QUIET_ROUTES = new Set(['/health', '/ready', '/metrics']);

/** Writes one log line per finished request, from its RequestRecord. */
@Injectable()
export class RequestLog {
  constructor(@InjectPinoLogger('http') private readonly pino: PinoLogger, recorder: RequestRecorder) {
    recorder.subscribe((record) => this.write(record));
  }

  private child?: PinoLogger['logger'];

  /** A child of the root logger: the line carries its own request id, inside the request's log context or not. */
  private get logger(): Pick<PinoLogger, 'info' | 'warn' | 'debug'> {
    this.child ??= PinoLogger.root?.child({ context: 'http' });
    return this.child ?? this.pino;
  }

  private write(r: RequestRecord): void {
    const ms = (seconds?: number) => (seconds === undefined ? undefined : Math.round(seconds * 10_000) / 10);
    const line = {
      reqId: r.requestId,
      method: r.method,
      path: r.path,
      status: r.status,
      ...(r.aborted ? { aborted: true } : {}),
      key: r.keyName,
      model: r.model,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      cachedTokens: r.cachedTokens,
      ttftMs: ms(r.timeToFirstTokenSeconds),
      durationMs: ms(r.durationSeconds),
    };
    const message = `${r.method} ${r.path} ${r.status}`;
    if (r.status >= 500) this.logger.warn(line, message);
    else if (QUIET_ROUTES.has(r.route)) this.logger.debug(line, message);
    else this.logger.info(line, message);
  }
}
