import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config.schema';
import { InFlightRequests } from './lifecycle/in-flight-requests.service';
import { closeOnSignals } from './lifecycle/signal-handlers';
import { RequestRecorder } from './observability/request-recorder.service';
import { requestObserver } from './observability/request-observer.middleware';
import { jsonBody } from './openai/shared/json-body.middleware';
import { buildOpenApiDocument } from './openapi';
import { VERSION } from './version';

/** Creates the Nest application with the full HTTP pipeline (body parsing, Swagger UI). */
export async function createApp(
  config: AppConfig,
  module = AppModule.forRoot(config),
  logs = true,
): Promise<INestApplication> {
  // Logs go through pino (see logger.options.ts); those of the boot are buffered until it is ready.
  const app = await NestFactory.create(module, { bodyParser: false, logger: logs ? undefined : false, bufferLogs: logs });
  if (logs) app.useLogger(app.get(PinoNestLogger));
  app.use(requestObserver(app.get(RequestRecorder)));
  app.use(app.get(InFlightRequests).middleware);
  app.use(jsonBody(config.bodyLimit));
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, VERSION), {
    swaggerOptions: { persistAuthorization: true },
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}

/** Starts serving and prints where. */
export async function serve(config: AppConfig): Promise<INestApplication> {
  const app = await createApp(config);
  closeOnSignals(app);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const base = `http://${host}:${port}`;
  const logger = new Logger('llamanest');
  logger.log(`OpenAI-compatible API at ${base}/v1 (models: ${config.models.map((m) => m.id).join(', ')})`);
  logger.log(`Swagger UI at ${base}/docs`);
  if (config.auth.keys.length === 0) logger.warn('No API keys configured: the API is open to anyone who can reach this address.');
  return app;
}
