import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_GREETING } from '../demo-model/demo-model';
import { ensureDemoModel } from '../demo-model/demo-model.file';
import { EngineModel } from './engine.port';
import { IncrementalDetokenizer } from './incremental-detokenizer';
import { NodeLlamaCppBackend } from './node-llama-cpp.adapter';

/** A model whose tokens are UTF-8 bytes: an incomplete character detokenizes to U+FFFD, like llama.cpp. */
class ByteModel implements Pick<EngineModel, 'detokenize'> {
  readonly calls: number[][] = [];
  /** A token without text of its own. */
  silent?: number;

  detokenize(tokens: readonly number[]): string {
    this.calls.push([...tokens]);
    return Buffer.from(tokens.filter((t) => t !== this.silent)).toString('utf8');
  }
}

const bytes = (text: string) => [...Buffer.from(text, 'utf8')];

function pushAll(detokenizer: IncrementalDetokenizer, tokens: number[]): string[] {
  return tokens.map((t) => detokenizer.push(t));
}

describe('IncrementalDetokenizer', () => {
  describe('with a byte-level fake model', () => {
    let model: ByteModel;
    let detokenizer: IncrementalDetokenizer;

    beforeEach(() => {
      model = new ByteModel();
      detokenizer = new IncrementalDetokenizer(model as unknown as EngineModel);
    });

    it('emits complete characters token by token', () => {
      expect(pushAll(detokenizer, bytes('abc'))).toEqual(['a', 'b', 'c']);
    });

    it('holds the bytes of a multi-byte character until it is complete', () => {
      expect(pushAll(detokenizer, bytes('a€b'))).toEqual(['a', '', '', '€', 'b']);
      expect(pushAll(detokenizer, bytes('🦙'))).toEqual(['', '', '', '🦙']);
    });

    it('gives up holding after 4 tokens so a broken sequence cannot stall the stream', () => {
      expect(pushAll(detokenizer, [0xe2, 0x82, 0xe2, 0x82])).toEqual(['', '', '', '\uFFFD\uFFFD']);
      expect(detokenizer.push(0x41)).toBe('A');
    });

    it('flush returns held bytes at the end and nothing afterwards', () => {
      expect(pushAll(detokenizer, [0x41, 0xe2, 0x82])).toEqual(['A', '', '']);
      expect(detokenizer.flush()).toBe('\uFFFD');
      expect(detokenizer.flush()).toBe('');
    });

    it('flush returns nothing when nothing is held', () => {
      pushAll(detokenizer, bytes('ok'));
      expect(detokenizer.flush()).toBe('');
    });

    it('detokenizes each token once, after the emitted tokens as context (8 to 32 of them)', () => {
      const text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ';
      expect(pushAll(detokenizer, bytes(text)).join('')).toBe(text);
      expect(model.calls[0]).toEqual(bytes('a'));
      expect(model.calls[2]).toEqual(bytes('abc'));
      // The 32nd token cuts the context back to the last 8 (one more call for their text).
      expect(model.calls[31]).toEqual(bytes(text.slice(0, 32)));
      expect(model.calls[32]).toEqual(bytes(text.slice(24, 32)));
      expect(model.calls[33]).toEqual(bytes(text.slice(24, 33)));
      expect(model.calls).toHaveLength(text.length + 1);
    });

    it('detokenizes new tokens alone when the context has no text of its own', () => {
      model.silent = 0;
      expect(pushAll(detokenizer, [0, 0x41])).toEqual(['', 'A']);
      expect(model.calls.slice(0, 2)).toEqual([[0], [0x41]]);
    });
  });

  describe('with the demo model', () => {
    let dir: string;
    let backend: NodeLlamaCppBackend;
    let model: EngineModel;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'llamanest-detok-'));
      backend = new NodeLlamaCppBackend();
      model = await backend.loadModel({ id: 'demo', source: ensureDemoModel(dir), downloadDir: dir, sequences: 1, gpuLayers: 'auto' });
    });

    afterAll(async () => {
      await model?.dispose();
      await backend?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('streams the greeting word by word with its spaces', () => {
      const chunks = pushAll(new IncrementalDetokenizer(model), model.tokenize(DEMO_GREETING));
      expect(chunks).toEqual(['Hello', '!', ' I', ' am', ' the', ' llamanest', ' demo', ' model', '.']);
    });

    it('joins byte-fallback tokens into whole characters', () => {
      const tokens = model.tokenize('a€🦙');
      expect(tokens).toHaveLength(8);
      expect(pushAll(new IncrementalDetokenizer(model), tokens)).toEqual(['a', '', '', '€', '', '', '', '🦙']);
    });
  });
});
