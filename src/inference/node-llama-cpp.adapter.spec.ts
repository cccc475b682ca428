import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CONTEXT_LENGTH, DEMO_COUNTING, DEMO_GREETING } from '../demo-model/demo-model';
import { ensureDemoModel } from '../demo-model/demo-model.file';
import { commonPrefixLength, EngineGrammar, EngineModel, EngineSequence, GenerateOptions } from './engine.port';
import { GenerationAbortedError } from './inference.errors';
import { ChatTurn, SamplingOptions } from './inference.types';
import { NodeLlamaCppBackend, tightenJsonSchemaGrammar } from './node-llama-cpp.adapter';

const GREEDY: SamplingOptions = { temperature: 0 };
const HI: ChatTurn[] = [{ role: 'user', text: 'Hi' }];
const live = () => new AbortController().signal;

/** Generates up to `max` tokens, stopping after the first end-of-generation token. */
async function generate(model: EngineModel, sequence: EngineSequence, prompt: number[], sampling = GREEDY, max = 20, extra: Omit<GenerateOptions, 'sampling'> = {}) {
  const generation = await sequence.generate(prompt, { sampling, ...extra }, live());
  const tokens: number[] = [];
  for await (const { token } of generation.tokens) {
    tokens.push(token);
    if (model.isEndOfGeneration(token) || tokens.length >= max) break;
  }
  return { reusedTokens: generation.reusedTokens, tokens };
}

/** The GBNF rules of a grammar the adapter made (its node-llama-cpp grammar's text, one rule a line). */
const grammarRules = (grammar: EngineGrammar) => (grammar as unknown as { grammar: { grammar: string } }).grammar.grammar.split('\n');

describe('NodeLlamaCppBackend with the demo model', () => {
  let dir: string;
  let backend: NodeLlamaCppBackend;
  let model: EngineModel;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llamanest-adapter-'));
    backend = new NodeLlamaCppBackend();
    model = await backend.loadModel({ id: 'demo', source: ensureDemoModel(dir), downloadDir: dir, sequences: 2, gpuLayers: 'auto' });
  });

  afterAll(async () => {
    await model?.dispose();
    await backend?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the context and sequences it was created with', () => {
    expect(model.contextLength).toBe(DEMO_CONTEXT_LENGTH);
    expect(model.sequenceCount).toBe(2);
    expect(model.sizeBytes).toBeGreaterThan(0);
  });

  it('tokenizes the greeting into 9 tokens and detokenizes them back exactly', () => {
    const tokens = model.tokenize(DEMO_GREETING);
    expect(tokens).toHaveLength(9);
    expect(model.detokenize(tokens)).toBe(DEMO_GREETING);
    expect(tokens.map((t) => model.detokenize([t]))).toEqual(['Hello', '!', ' I', ' am', ' the', ' llamanest', ' demo', ' model', '.']);
  });

  it('renders a user "Hi" with the chat template into 11 tokens ending the turn with a stop token', () => {
    const prompt = model.renderChat(HI);
    expect(prompt.tokens).toHaveLength(11);
    expect(model.detokenize(prompt.tokens)).toBe('user\nHi\nassistant\n');
    const endOfTurn = prompt.tokens[6]; // <s> <|im_start|> user \n H i <|im_end|> ...
    expect(model.isEndOfGeneration(endOfTurn)).toBe(true);
    expect(prompt.stopTokens).toContain(endOfTurn);
    expect(prompt.stopTexts).toEqual(['<|im_end|>']);
  });

  it('generates the greeting greedily, then an end-of-generation token', async () => {
    const prompt = model.renderChat(HI);
    const { reusedTokens, tokens } = await generate(model, model.sequence(0), prompt.tokens);
    expect(reusedTokens).toBe(0);
    expect(tokens.slice(0, -1)).toEqual(model.tokenize(DEMO_GREETING));
    expect(tokens.slice(0, -1).some((t) => model.isEndOfGeneration(t))).toBe(false);
    const last = tokens[tokens.length - 1];
    expect(model.isEndOfGeneration(last)).toBe(true);
    expect(prompt.stopTokens).toContain(last);
  });

  it('answers a prompt long enough to be evaluated with every core (a batch of 64+ tokens) like a short one', async () => {
    const long = `${'Some words to read first. '.repeat(30)}Hi`;
    const prompt = model.renderChat([{ role: 'user', text: long }]);
    expect(prompt.tokens.length).toBeGreaterThan(300);
    const { tokens } = await generate(model, model.sequence(1), prompt.tokens);
    expect(model.detokenize(tokens.slice(0, -1))).toBe(DEMO_GREETING);
  });

  it('reuses all but the last prompt token when the same prompt comes again on the same sequence', async () => {
    const prompt = model.renderChat([{ role: 'user', text: 'Hello there' }]).tokens;
    const sequence = model.sequence(0);
    await generate(model, sequence, prompt);
    const again = await generate(model, sequence, prompt);
    expect(again.reusedTokens).toBe(prompt.length - 1);
    expect(model.detokenize(again.tokens.slice(0, -1))).toBe(DEMO_GREETING);
  });

  it('reuses only the shared prefix of a different prompt and still generates correctly', async () => {
    const sequence = model.sequence(0);
    await generate(model, sequence, model.renderChat([{ role: 'user', text: 'Ha' }]).tokens);
    const { reusedTokens, tokens } = await generate(model, sequence, model.renderChat(HI).tokens);
    expect(reusedTokens).toBe(5); // <s> <|im_start|> user \n H
    expect(model.detokenize(tokens.slice(0, -1))).toBe(DEMO_GREETING);
  });

  it('keeps each sequence its own cache', async () => {
    const prompt = model.renderChat([{ role: 'user', text: 'Only on one' }]).tokens;
    await generate(model, model.sequence(0), prompt);
    expect(model.sequence(0).cachedTokens.slice(0, prompt.length)).toEqual(prompt);
    const otherCache = [...model.sequence(1).cachedTokens];
    const other = await generate(model, model.sequence(1), prompt);
    expect(other.reusedTokens).toBe(commonPrefixLength(otherCache, prompt));
    expect(other.reusedTokens).toBeLessThan(prompt.length - 1);
  });

  it('counts without end when "count" is in the conversation', async () => {
    const turns: ChatTurn[] = [
      { role: 'user', text: 'Hi' },
      { role: 'assistant', text: DEMO_GREETING },
      { role: 'user', text: 'Please count for me' },
    ];
    const { tokens } = await generate(model, model.sequence(1), model.renderChat(turns).tokens, GREEDY, 12);
    expect(tokens).toHaveLength(12);
    expect(model.detokenize(tokens)).toBe(`${DEMO_COUNTING} one two`);
  });

  it('samples " model" or " bot" after "demo" at temperature 1, reproducibly per seed', async () => {
    const prompt = model.renderChat(HI).tokens;
    const text = async (seed: number) => model.detokenize((await generate(model, model.sequence(1), prompt, { temperature: 1, seed })).tokens.slice(0, -1));
    const outputs = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) outputs.add(await text(seed));
    expect(outputs).toEqual(new Set([DEMO_GREETING, 'Hello! I am the llamanest demo bot.']));
    expect(await text(3)).toBe(await text(3));
  });

  it('draws differently for every unseeded generation, even within one second', async () => {
    const prompt = model.renderChat(HI).tokens;
    const outputs = new Set<string>();
    for (let i = 0; i < 12; i++) outputs.add(model.detokenize((await generate(model, model.sequence(1), prompt, { temperature: 1 })).tokens.slice(0, -1)));
    // Both branches (53/47) in 12 draws: all alike by chance with probability ~0.0005.
    expect(outputs).toEqual(new Set([DEMO_GREETING, 'Hello! I am the llamanest demo bot.']));
  });

  it('rejects with GenerationAbortedError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(model.sequence(0).generate(model.renderChat(HI).tokens, { sampling: GREEDY }, controller.signal)).rejects.toBeInstanceOf(GenerationAbortedError);
  });

  it('constrains output to a JSON schema grammar', async () => {
    const grammar = await model.createGrammar({
      type: 'json_schema',
      schema: { type: 'object', properties: { city: { type: 'string' }, n: { type: 'integer' } }, required: ['city', 'n'] },
    });
    const { tokens } = await generate(model, model.sequence(0), model.renderChat(HI).tokens, GREEDY, 100, { grammar });
    expect(model.isEndOfGeneration(tokens[tokens.length - 1])).toBe(true);
    expect(JSON.parse(model.detokenize(tokens.slice(0, -1)))).toEqual({ city: '', n: 1 });
  });

  it('keeps exponents out of integers even when the logits push for them (node-llama-cpp alone writes -9999999999999999E-9999999999999999)', async () => {
    const grammar = await model.createGrammar({
      type: 'json_schema',
      schema: { type: 'object', properties: { n: { type: 'integer' }, x: { type: 'number' } }, required: ['n', 'x'] },
    });
    const push = Object.fromEntries(['E', 'e', '-', '9'].flatMap((t) => model.tokenize(t)).map((token) => [token, 30]));
    const { tokens } = await generate(model, model.sequence(0), model.renderChat(HI).tokens, GREEDY, 100, { grammar, logitBias: push });
    expect(model.isEndOfGeneration(tokens[tokens.length - 1])).toBe(true);
    const text = model.detokenize(tokens.slice(0, -1));
    expect(text).not.toMatch(/[eE]/);
    expect(Number.isInteger((JSON.parse(text) as { n: number }).n)).toBe(true);
  });

  it('limits JSON numbers to two-digit exponents, so they cannot overflow to Infinity', async () => {
    const grammar = await model.createGrammar({ type: 'json_schema', schema: { type: 'object', properties: { x: { type: 'number' } } } });
    const rules = grammarRules(grammar);
    expect(rules).toContain('fractional-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?');
    expect(tightenJsonSchemaGrammar('root ::= "a"')).toBe('root ::= "a"');
    expect(() => tightenJsonSchemaGrammar('integer-number-rule ::= [0-9]+ [eE] [0-9]+')).toThrow(/Unexpected integer-number-rule/);
    expect(() => tightenJsonSchemaGrammar('root ::= [0-9]{4} "-" [0-9]{2} "-" [0-9]{2}')).toThrow(/Unexpected date/);
  });

  it('generates calendar dates only for format "date", even when the logits push for November 31st', async () => {
    const grammar = await model.createGrammar({
      type: 'json_schema',
      schema: { type: 'object', properties: { d: { type: 'string', format: 'date' } }, required: ['d'] },
    });
    // "3" before "1" before "0": node-llama-cpp's own rule then writes 3333-11-31
    const push = Object.fromEntries(['3', '1', '0'].flatMap((t) => model.tokenize(t)).map((token, i) => [token, 90 - 30 * i]));
    const { tokens } = await generate(model, model.sequence(0), model.renderChat(HI).tokens, GREEDY, 100, { grammar, logitBias: push });
    const { d } = JSON.parse(model.detokenize(tokens.slice(0, -1))) as { d: string };
    expect(d).toBe('3333-11-30');
    expect(new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10)).toBe(d);
  });

  it('allows February 29th in exactly the leap years 0000-9999, in dates and date-times', async () => {
    const grammar = await model.createGrammar({ type: 'json_schema', schema: { type: 'string', format: 'date-time' } });
    const rules = grammarRules(grammar);
    const leap = rules.find((r) => r.startsWith('leap-year-rule ::= '))!;
    const alternatives = leap.slice('leap-year-rule ::= '.length);
    // the rule, as a regular expression over years
    const regex = new RegExp(`^(${alternatives.replace(/"/g, '').replace(/\] \[/g, '][').replace(/ \(/g, '(').replace(/\) /g, ')').replace(/ /g, '')})$`);
    const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const wrong = Array.from({ length: 10000 }, (_, year) => year).filter((year) => regex.test(String(year).padStart(4, '0')) !== isLeap(year));
    expect(wrong).toEqual([]);
    expect(regex.test('2024')).toBe(true);
    expect(rules[0]).toMatch(/^root ::= "\\"" calendar-date-rule "T" /);
  });

  it('chooses among fixed texts under a one-of grammar', async () => {
    const grammar = await model.createGrammar({ type: 'one_of', texts: ['get_weather', 'lookup'] });
    const { tokens } = await generate(model, model.sequence(0), model.renderChat(HI).tokens, GREEDY, 40, { grammar });
    expect(['get_weather', 'lookup']).toContain(model.detokenize(tokens.slice(0, -1)));
  });

  // Log probabilities are tested end to end (test/chat-features.e2e-spec.ts): under jest's VM,
  // node-llama-cpp's `instanceof Array` check on the native sampling result fails across realms.

  it('applies logit bias: -100 bans the greedy token', async () => {
    const hello = model.tokenize('Hello')[0];
    const { tokens } = await generate(model, model.sequence(0), model.renderChat(HI).tokens, GREEDY, 3, { logitBias: { [hello]: -100 } });
    expect(tokens[0]).not.toBe(hello);
    expect(model.detokenize(tokens)).toBe('One two three');
  });

  it("describes the chat format's function-call syntax", () => {
    const syntax = model.functionCallSyntax();
    expect(syntax.prefix.text).toBe('||call: ');
    expect(syntax.paramsPrefix.text).toBe('(');
    expect(syntax.suffix.text).toBe(')');
    expect(syntax.triggers).toContain('||call:');
    expect(model.detokenize(syntax.prefix.tokens)).toBe('||call: ');
  });

  it('reports no thought syntax for the demo model (its ChatML format does not think aloud)', () => {
    expect(model.thoughtSyntax()).toBeUndefined();
  });
});
