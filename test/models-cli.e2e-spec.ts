import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/server';

describe('llamanest models', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llamanest-models-'));
  const modelsDir = join(dataDir, 'models');
  const env = { LLAMANEST_DATA_DIR: dataDir };

  beforeAll(async () => {
    const { code, output } = await runCli(['demo-model', '--dir', modelsDir]);
    expect(code).toBe(0);
    copyFileSync(output.trim(), join(modelsDir, 'copy-of-demo.gguf'));
  });

  it('lists the configured models and the files of the models directory with size, quantization, context and place', async () => {
    const config = join(dataDir, 'llamanest.yaml');
    mkdirSync(join(dataDir, 'elsewhere'));
    copyFileSync(join(modelsDir, 'llamanest-demo.gguf'), join(dataDir, 'elsewhere', 'house.gguf'));
    writeFileSync(config, 'models:\n  - id: house\n    path: elsewhere/house.gguf\n  - path: hf:someone/Some-GGUF:Q4_K_M\n');
    const { code, output } = await runCli(['models', 'list', '--config', config], env);
    expect(code).toBe(0);
    const lines = output.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['ID', 'SIZE', 'QUANT', 'CONTEXT', 'WHERE']);
    const rows = lines.slice(1).map((line) => line.split(/\s{2,}/));
    expect(rows).toEqual([
      ['house', expect.stringMatching(/^\d+\.\d KiB$/), 'F32', '4096', join(dataDir, 'elsewhere', 'house.gguf')],
      ['Some-GGUF:Q4_K_M', '-', '-', '-', 'hf:someone/Some-GGUF:Q4_K_M (not downloaded)'],
      ['copy-of-demo', rows[0][1], 'F32', '4096', join(modelsDir, 'copy-of-demo.gguf')],
      ['llamanest-demo', rows[0][1], 'F32', '4096', join(modelsDir, 'llamanest-demo.gguf')],
    ]);
  });

  it('removes a file of the models directory by name, and refuses names it does not hold', async () => {
    const removed = await runCli(['models', 'rm', 'copy-of-demo'], env);
    expect(removed).toEqual({ code: 0, output: `removed ${join(modelsDir, 'copy-of-demo.gguf')}\n` });
    expect(existsSync(join(modelsDir, 'copy-of-demo.gguf'))).toBe(false);

    const missing = await runCli(['models', 'rm', 'copy-of-demo'], env);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain(`no model file "copy-of-demo" in ${modelsDir}`);
    const outside = await runCli(['models', 'rm', '../llamanest.yaml'], env);
    expect(outside.code).toBe(2);

    const list = await runCli(['models', 'ls'], env);
    expect(list.output).not.toContain('copy-of-demo');
    expect(list.output).toContain('llamanest-demo');
  });

  it('pull accepts only hf: URIs and URLs', async () => {
    const { code, output } = await runCli(['models', 'pull', 'some-model.gguf'], env);
    expect(code).toBe(2);
    expect(output).toContain('expected an hf:<owner>/<repo>:<file-or-quant> URI or an https URL');
  });
});
