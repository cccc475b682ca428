import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document of the running code; served at /docs and committed as openapi/openapi.json. */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('llamanest')
    .setDescription(
      'OpenAI-compatible API of a llamanest server: local GGUF models served through node-llama-cpp. ' +
        'Use the Authorize button with one of the server\'s API keys.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key of this server' })
    .build();
  return SwaggerModule.createDocument(app, config);
}
