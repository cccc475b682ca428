import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { InFlightRequests } from './in-flight-requests.service';

/** How long requests ended at the drain deadline get to send their 503 / SSE error event before their sockets are cut. */
const ABORT_GRACE_MS = 5000;

/**
 * Drains the HTTP server when the application closes. Nest runs this after every onModuleDestroy
 * hook and before the HTTP server is closed and the onApplicationShutdown hooks run (models are
 * disposed, ledgers flushed there), so the order is: stop accepting, let in-flight requests finish
 * up to `drainTimeout`, end the rest with a 503 / SSE error event, then tear down.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly inFlight: InFlightRequests,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    server.close();
    this.inFlight.startDraining();
    server.closeIdleConnections();
    const open = this.inFlight.count;
    if (open > 0) {
      this.logger.log(`draining ${open} in-flight request(s) for up to ${this.config.drainTimeout} s`);
      if (!(await this.inFlight.waitUntilIdle(this.config.drainTimeout * 1000))) {
        this.logger.warn(`drain timeout reached: ending ${this.inFlight.count} request(s) with server_shutting_down`);
        this.inFlight.abortAll();
        await this.inFlight.waitUntilIdle(ABORT_GRACE_MS);
      }
    }
    server.closeAllConnections();
  }
}
