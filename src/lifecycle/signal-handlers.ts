import { INestApplication, Logger } from '@nestjs/common';
import { constants } from 'node:os';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * SIGTERM (what launchd sends) or SIGINT closes the app gracefully and exits 0, so launchd's
 * KeepAlive { SuccessfulExit: false } does not restart it. A second signal exits at once with
 * 128 + the signal number. (Nest's enableShutdownHooks re-raises the signal after closing, which
 * would end the process with a non-zero status.)
 */
export function closeOnSignals(app: INestApplication): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} received again: exiting now`);
      process.exit(128 + constants.signals[signal]);
    }
    closing = true;
    logger.log(`${signal} received: shutting down (send it again to exit at once)`);
    app.close().then(
      async () => {
        logger.log('stopped');
        await flushStandardStreams();
        process.exit(0);
      },
      async (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error)?.stack ?? String(error)}`);
        await flushStandardStreams();
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Resolves once everything written to stdout and stderr so far has been handed to the OS. */
function flushStandardStreams(): Promise<unknown> {
  return Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
}
