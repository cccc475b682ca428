import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { Express } from 'express';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ManagedKeyRepository } from './auth/managed-key.repository';
import { checkLanAccess } from './config/config.loader';
import { AppConfig } from './config/config.schema';
import { InFlightRequests } from './lifecycle/in-flight-requests.service';
import { closeOnSignals } from './lifecycle/signal-handlers';
import { ipAllowlist } from './network/ip-allowlist.middleware';
import { loadTls, TlsMaterial } from './network/tls';
import { RequestRecorder } from './observability/request-recorder.service';
import { requestObserver } from './observability/request-observer.middleware';
import { jsonBody } from './openai/shared/json-body.middleware';
import { OFF_THREAD_WRITES } from './openai/shared/sse-writer';
import { buildOpenApiDocument } from './openapi';
import { VERSION } from './version';

const RATE_LIMIT_HEADERS = ['requests', 'tokens'].flatMap((kind) =>
  ['limit', 'remaining', 'reset'].map((what) => `x-ratelimit-${what}-${kind}`),
);

/** Creates the Nest application with the full HTTP pipeline (TLS, IP allowlist, CORS, body parsing, Swagger UI). */
export async function createApp(config: AppConfig, module = AppModule.forRoot(config), logs = true, tls?: TlsMaterial): Promise<INestApplication> {
  // Logs go through pino (see logger.options.ts); those of the boot are buffered until it is ready.
  const app = await NestFactory.create(module, {
    bodyParser: false,
    logger: logs ? undefined : false,
    bufferLogs: logs,
    httpsOptions: tls && { key: tls.key, cert: tls.cert },
  });
  if (logs) app.useLogger(app.get(PinoNestLogger));
  app.use(requestObserver(app.get(RequestRecorder)));
  app.use(app.get(InFlightRequests).middleware);
  if (config.network.allow.length > 0) app.use(ipAllowlist(config.network.allow));
  if (config.cors.origins.length > 0) {
    app.enableCors({
      origin: config.cors.origins.includes('*') ? true : config.cors.origins,
      allowedHeaders: ['Authorization', 'Content-Type'],
      exposedHeaders: ['Retry-After', ...RATE_LIMIT_HEADERS],
      maxAge: 600,
    });
  }
  app.use(jsonBody(config.bodyLimit));
  (app.getHttpAdapter().getInstance() as Express).set(OFF_THREAD_WRITES, config.offThreadWrites);
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, VERSION), {
    swaggerOptions: { persistAuthorization: true },
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}

/** Starts serving and prints where. */
export async function serve(config: AppConfig): Promise<INestApplication> {
  const logger = new Logger('llamanest');
  const tls = await loadTls(config);
  const app = await createApp(config, undefined, true, tls);
  const hasManagedKeys = app.get(ManagedKeyRepository).hasAny();
  try {
    checkLanAccess(config, hasManagedKeys);
  } catch (error) {
    await app.close();
    throw error;
  }
  closeOnSignals(app);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const base = `${tls ? 'https' : 'http'}://${host}:${port}`;
  if (tls?.created) logger.log(`created a self-signed certificate for this host's LAN names: ${tls.created}`);
  if (tls) logger.log(`TLS certificate SHA-256 fingerprint ${tls.fingerprint}`);
  logger.log(`OpenAI-compatible API at ${base}/v1 (models: ${config.models.map((m) => m.id).join(', ')})`);
  logger.log(`Swagger UI at ${base}/docs`);
  if (config.auth.keys.length === 0 && !hasManagedKeys) {
    logger.warn('No API keys yet: the API is open to anyone who can reach this address (create one with `llamanest keys create --name NAME`).');
  }
  return app;
}
