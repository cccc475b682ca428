import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { LoggerModule } from 'nestjs-pino';
import { AdminKeysController } from './admin/admin-keys.controller';
import { AdminModelsController } from './admin/admin-models.controller';
import { AdminUsageController } from './admin/admin-usage.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AUTH_PROVIDERS } from './auth/auth.providers';
import { ScopesGuard } from './auth/scopes.guard';
import { AppConfigModule } from './config/config.module';
import { AppConfig } from './config/config.schema';
import { DatabaseModule } from './database/database.module';
import { DiscoveryService } from './discovery/discovery.service';
import { TokenizeController } from './extras/tokenize/tokenize.controller';
import { TokenizeService } from './extras/tokenize/tokenize.service';
import { HealthController } from './health/health.controller';
import { EmbeddingService } from './inference/embedding.service';
import { ENGINE_BACKEND } from './inference/engine.port';
import { InferenceService } from './inference/inference.service';
import { ModelRegistry } from './inference/model-registry.service';
import { NodeLlamaCppBackend } from './inference/node-llama-cpp.adapter';
import { TokenizerService } from './inference/tokenizer.service';
import { GracefulShutdown } from './lifecycle/graceful-shutdown.service';
import { InFlightRequests } from './lifecycle/in-flight-requests.service';
import { loggerOptions } from './observability/logger.options';
import { MetricsController } from './observability/metrics.controller';
import { MetricsService } from './observability/metrics.service';
import { RequestLog } from './observability/request-log.service';
import { RequestRecorder } from './observability/request-recorder.service';
import { ChatCompletionsController } from './openai/chat-completions/chat-completions.controller';
import { ChatCompletionsService } from './openai/chat-completions/chat-completions.service';
import { CompletionsController } from './openai/completions/completions.controller';
import { CompletionsService } from './openai/completions/completions.service';
import { EmbeddingsController } from './openai/embeddings/embeddings.controller';
import { EmbeddingsService } from './openai/embeddings/embeddings.service';
import { ModelsController } from './openai/models/models.controller';
import { OpenAIExceptionFilter } from './openai/shared/openai-exception.filter';
import { ResponsesController } from './openai/responses/responses.controller';
import { RESPONSES_PROVIDERS } from './openai/responses/responses.providers';
import { createValidationPipe } from './openai/shared/validation';
import { MeteringGuard } from './usage/metering.guard';
import { UsageController } from './usage/usage.controller';
import { USAGE_PROVIDERS } from './usage/usage.providers';

/** The composition root: every cross-cutting piece is registered here so tests run the real pipeline. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, backend: { useClass: new (...args: never[]) => unknown } | { useValue: unknown } = { useClass: NodeLlamaCppBackend }): DynamicModule {
    return {
      module: AppModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule, PassportModule, LoggerModule.forRoot(loggerOptions(config))],
      controllers: [
        ModelsController,
        ChatCompletionsController,
        CompletionsController,
        ResponsesController,
        EmbeddingsController,
        TokenizeController,
        HealthController,
        MetricsController,
        UsageController,
        AdminKeysController,
        AdminUsageController,
        AdminModelsController,
      ],
      providers: [
        { provide: ENGINE_BACKEND, ...backend },
        ModelRegistry,
        InferenceService,
        ChatCompletionsService,
        CompletionsService,
        EmbeddingService,
        EmbeddingsService,
        TokenizerService,
        TokenizeService,
        RequestRecorder,
        MetricsService,
        RequestLog,
        InFlightRequests,
        GracefulShutdown,
        DiscoveryService,
        ...AUTH_PROVIDERS,
        ...USAGE_PROVIDERS,
        ...RESPONSES_PROVIDERS,
        // Guards run in this order: who is calling, what they may do, then metering (record, model, limits).
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: ScopesGuard },
        { provide: APP_GUARD, useClass: MeteringGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: OpenAIExceptionFilter },
      ],
    };
  }
}
