import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Bonjour, ServiceConfig } from 'bonjour-service';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { ManagedKeyRepository } from '../auth/managed-key.repository';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { VERSION } from '../version';
import { discoveryTxt, SERVICE_TYPES } from './discovery.records';

/**
 * Opt-in Bonjour/mDNS advertisement of `_llamanest._tcp` and `_http._tcp`, so apps on the LAN
 * can find the server. It starts once the HTTP server listens (the port is known then) and stops
 * first thing at shutdown (onModuleDestroy runs before the drain), sending goodbye packets.
 */
@Injectable()
export class DiscoveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Discovery');
  private bonjour?: Bonjour;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly managedKeys: ManagedKeyRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.discovery.enabled) return;
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    if (server.listening) this.advertise((server.address() as AddressInfo).port);
    else server.once('listening', () => this.advertise((server.address() as AddressInfo).port));
  }

  async onModuleDestroy(): Promise<void> {
    const bonjour = this.bonjour;
    if (!bonjour) return;
    this.bonjour = undefined;
    await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    this.logger.log('advertisement stopped');
  }

  private advertise(port: number): void {
    const { name = `llamanest on ${hostname().replace(/\.local$/, '')}`, interface: address } = this.config.discovery;
    // Bonjour hands these to multicast-dns (its typings only name the service fields). multicast-dns binds
    // to the interface address when one is given, which receives no multicast; so bind to all and send there.
    const mdnsOptions = (address ? { interface: address, bind: '0.0.0.0' } : {}) as Partial<ServiceConfig>;
    this.bonjour = new Bonjour(mdnsOptions, (error: Error) => this.logger.warn(`mDNS error: ${error.message}`));
    const txt = discoveryTxt({
      authRequired: this.config.auth.keys.length > 0 || this.managedKeys.hasAny(),
      tls: Boolean(this.config.tls.cert || this.config.tls.selfSigned),
      version: VERSION,
    });
    for (const type of SERVICE_TYPES) this.bonjour.publish({ name, type, port, txt });
    this.logger.log(`advertising "${name}" as ${SERVICE_TYPES.map((t) => `_${t}._tcp`).join(' and ')} on port ${port}`);
  }
}
