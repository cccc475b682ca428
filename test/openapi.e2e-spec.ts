import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './support/server';

describe('openapi/openapi.json', () => {
  it('matches the document generated from the code (run `npm run openapi` after changing routes or DTOs)', async () => {
    const { code, output } = await runCli(['openapi']);
    expect(code).toBe(0);
    const committed = readFileSync(join(__dirname, '..', 'openapi', 'openapi.json'), 'utf8');
    expect(JSON.parse(output)).toEqual(JSON.parse(committed));
  });

  it('documents every DTO field and the bearer security scheme', () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '..', 'openapi', 'openapi.json'), 'utf8'));
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const request = doc.components.schemas.CreateChatCompletionRequestDto;
    expect(request.required).toEqual(['model', 'messages']);
    for (const [name, schema] of Object.entries<{ description?: string }>(request.properties)) {
      expect([name, schema.description]).toEqual([name, expect.any(String)]);
    }
    expect(doc.paths['/v1/chat/completions'].post.security).toEqual([{ bearer: [] }]);
  });
});
