import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config.schema';

/**
 * pino through nestjs-pino: JSON lines when stdout is not a terminal (launchd, containers, log
 * shippers), pino-pretty on a terminal. Request lines come from RequestLog, not pino-http's
 * automatic logging, so they carry model, tokens and timing; pino-http only binds the request id
 * to the logs written while a request runs.
 */
export function loggerOptions(config: Pick<AppConfig, 'logFormat' | 'logLevel'>, isTTY = Boolean(process.stdout.isTTY)): Params {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && isTTY);
  return {
    pinoHttp: {
      level: config.logLevel,
      autoLogging: false,
      quietReqLogger: true,
      // The id the request observer echoed or minted (it runs first).
      genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
    },
  };
}
