import 'reflect-metadata';
import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { ManagedKeyRepository } from './auth/managed-key.repository';
import { checkLanAccess } from './config/config.loader';
import { AppConfig } from './config/config.schema';
import { ipAllowlist } from './network/ip-allowlist.middleware';
import { loadTls, TlsMaterial } from './network/tls';
import { jsonBody } from './openai/shared/json-body.middleware';
import { buildOpenApiDocument } from './openapi';
import { VERSION } from './version';

const RATE_LIMIT_HEADERS = ['requests', 'tokens'].flatMap((kind) =>
  ['limit', 'remaining', 'reset'].map((what) => `x-ratelimit-${what}-${kind}`),
);

/** Creates the Nest application with the full HTTP pipeline (TLS, IP allowlist, CORS, body parsing, Swagger UI). */
export async function createApp(
  config: AppConfig,
  module = AppModule.forRoot(config),
  logger: LogLevel[] | false = ['log', 'warn', 'error'],
  tls?: TlsMaterial,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bodyParser: false, logger, httpsOptions: tls && { key: tls.key, cert: tls.cert } });
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
  app.enableShutdownHooks();
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
  const app = await createApp(config, undefined, undefined, tls);
  const hasManagedKeys = app.get(ManagedKeyRepository).hasAny();
  try {
    checkLanAccess(config, hasManagedKeys);
  } catch (error) {
    await app.close();
    throw error;
  }
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
