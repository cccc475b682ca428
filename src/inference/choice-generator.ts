import { randomBytes } from 'node:crypto';
import { EngineGrammar, EngineModel, EngineSequence, FunctionCallSyntax, GeneratedToken } from './engine.port';
import { IncrementalDetokenizer } from './incremental-detokenizer';
import { abortError } from './inference.errors';
import { FinishReason, GenerationEvent, GenerationTiming, SamplingOptions, TokenLogprob, TokenUsage, ToolChoice } from './inference.types';
import { StopSequenceMatcher } from './stop-sequence-matcher';

/** Everything a choice needs, prepared once per request (prompt, grammars, limits). */
export interface PreparedGeneration {
  promptTokens: number[];
  stopTexts: string[];
  stopTokens: number[];
  maxTokens: number;
  sampling: SamplingOptions;
  logitBias?: Record<number, number>;
  logprobs?: { top: number };
  /** Constrains text answers (response_format). */
  formatGrammar?: EngineGrammar;
  tools?: PreparedTools;
  reasoning?: PreparedReasoning;
}

/** How the model's chat format marks thinking, and how much of it this request allows. */
export interface PreparedReasoning {
  /** The tokens that open a thought (the token that marks it), and those that close one. */
  openTokens: number[];
  openToken: number;
  closeToken: number;
  closeTokens: number[];
  /** The format opens a thought at the start of every answer (the prompt ends inside it). */
  openAtStart: boolean;
  /** Most thinking tokens before the thought is closed for the model; undefined: no limit. */
  budget?: number;
}

export interface PreparedTools {
  choice: ToolChoice;
  syntax: FunctionCallSyntax;
  nameGrammar: EngineGrammar;
  /** Grammar of each function's arguments; absent for functions without parameters. */
  argumentGrammars: Map<string, EngineGrammar>;
}

/** Which choice this is, and the request-wide facts it adds to. */
export interface ChoiceState {
  choice: number;
  seed?: number;
  usage: TokenUsage;
  timing: GenerationTiming;
}

interface TextResult {
  finish: 'eog' | 'length' | 'stop-text' | 'trigger' | 'thought-budget';
  /** All answer text emitted (before a stop text or a function call trigger). */
  text: string;
  /** The tokens of a thought this step generated, up to its close (without it when the budget cut it). */
  thought: number[];
}

/**
 * Generates one choice on a leased sequence: text (optionally grammar-constrained), or function
 * calls in the chat format's own syntax with the name and arguments forced by grammars.
 */
export class ChoiceGenerator {
  private produced = 0;
  private lastTokenAt?: number;
  private readonly choice: number;

  constructor(
    private readonly engine: EngineModel,
    private readonly sequence: EngineSequence,
    private readonly request: PreparedGeneration,
    private readonly state: ChoiceState,
    private readonly signal: AbortSignal,
  ) {
    this.choice = state.choice;
  }

  async *run(): AsyncGenerator<GenerationEvent> {
    const { promptTokens: prompt, tools, reasoning } = this.request;
    if (tools && tools.choice !== 'auto') return yield* this.call(prompt, tools, 0);
    const triggers = tools ? tools.syntax.triggers : [];
    let thought: number[];
    let result: TextResult;
    if (reasoning?.budget === 0) {
      // No thinking at all: the answer follows an empty thought.
      thought = [...(reasoning.openAtStart ? [] : reasoning.openTokens), ...reasoning.closeTokens];
      result = yield* this.text([...prompt, ...thought], triggers, false);
    } else {
      result = yield* this.text(prompt, triggers, reasoning?.openAtStart ?? false);
      thought = result.thought;
      if (result.finish === 'thought-budget') {
        // Thinking reached its budget (or a grammar must take over): close the thought for the model and let it answer.
        thought = [...result.thought, ...reasoning!.closeTokens];
        result = yield* this.text([...prompt, ...thought], triggers, false);
      }
    }
    if (result.finish === 'trigger' && tools) {
      // Continue from the text before the call, re-tokenized; the sequence reuses the cached prefix.
      return yield* this.call([...prompt, ...thought, ...this.engine.tokenize(result.text)], tools, 0);
    }
    yield { type: 'finish', choice: this.choice, finishReason: result.finish === 'length' ? 'length' : 'stop' };
  }

  /**
   * Free text, cut at stop texts; with `triggers`, also cut where a function call begins. Text inside
   * the format's thought markers (from the start, with `thinking`) goes out as reasoning.
   */
  private async *text(prompt: number[], triggers: string[], thinking: boolean): AsyncGenerator<GenerationEvent, TextResult> {
    const { request } = this;
    const reasoning = request.reasoning;
    const thoughtDetokenizer = new IncrementalDetokenizer(this.engine);
    const tokens: number[] = [];
    let thoughtTokens = 0;
    let thoughtEnd = 0;
    const stops = [...request.stopTexts];
    const matcher = new StopSequenceMatcher([...stops, ...triggers]);
    const detokenizer = new IncrementalDetokenizer(this.engine);
    const trailing = new TrailingWhitespace(request.formatGrammar !== undefined);
    let pendingLogprobs: TokenLogprob[] = [];
    let emitted = '';
    const emit = (text: string): GenerationEvent | undefined => {
      const body = trailing.push(text);
      if (!body) return undefined;
      emitted += body;
      const event: GenerationEvent = { type: 'text', choice: this.choice, text: body };
      if (request.logprobs) {
        event.logprobs = pendingLogprobs;
        pendingLogprobs = [];
      }
      return event;
    };
    let finish: TextResult['finish'] = 'length';
    let hit: string | undefined;
    for await (const generated of this.segment(prompt, thinking ? undefined : request.formatGrammar)) {
      if (this.isEnd(generated.token)) {
        finish = 'eog';
        break;
      }
      tokens.push(generated.token);
      if (reasoning && generated.token === reasoning.openToken && emitted === '') {
        thinking = true;
        continue;
      }
      if (thinking) {
        if (generated.token === reasoning!.closeToken) {
          thinking = false;
          const rest = thoughtDetokenizer.flush();
          if (rest) yield { type: 'reasoning', choice: this.choice, text: rest };
          // The answer's grammar applies from here: restart under it after the thought.
          if (request.formatGrammar) return { finish: 'thought-budget', text: emitted, thought: tokens.slice(0, -1) };
          thoughtEnd = tokens.length;
          continue;
        }
        const text = thoughtDetokenizer.push(generated.token);
        if (text) yield { type: 'reasoning', choice: this.choice, text };
        if (++thoughtTokens >= (reasoning!.budget ?? Infinity)) return { finish: 'thought-budget', text: emitted, thought: tokens };
        if (this.produced >= request.maxTokens) break;
        continue;
      }
      if (request.logprobs) pendingLogprobs.push(this.logprob(generated));
      const { text, stopped, stop } = matcher.push(detokenizer.push(generated.token));
      const event = emit(text);
      if (event) yield event;
      if (stopped) {
        hit = stop;
        break;
      }
      if (this.produced >= request.maxTokens) break;
    }
    if (hit === undefined) {
      const { text, stopped, stop } = matcher.push(detokenizer.flush());
      hit = stopped ? stop : undefined;
      const event = emit(hit === undefined ? text + matcher.flush() : text);
      if (event) yield event;
    }
    if (hit !== undefined) finish = triggers.includes(hit) && !stops.includes(hit) ? 'trigger' : 'stop-text';
    return { finish, text: emitted, thought: tokens.slice(0, thoughtEnd) };
  }

  /** One function call: prefix, name (forced or chosen under a grammar), then arguments under the schema grammar. */
  private async *call(base: number[], tools: PreparedTools, index: number): AsyncGenerator<GenerationEvent> {
    const { syntax } = tools;
    const namePrompt = [...base, ...syntax.prefix.tokens];
    let name: string;
    let nameTokens: number[];
    if (typeof tools.choice === 'object') {
      name = tools.choice.name;
      nameTokens = this.engine.tokenize(name);
    } else {
      const chosen = await this.constrained(namePrompt, tools.nameGrammar);
      if (!chosen) return yield { type: 'finish', choice: this.choice, finishReason: 'length' };
      nameTokens = chosen;
      name = this.engine.detokenize(nameTokens);
    }
    yield { type: 'tool_call', choice: this.choice, index, id: `call_${randomBytes(12).toString('base64url')}`, name };
    const argumentsGrammar = tools.argumentGrammars.get(name);
    if (!argumentsGrammar) {
      yield { type: 'tool_arguments', choice: this.choice, index, text: '{}' };
      return yield { type: 'finish', choice: this.choice, finishReason: 'tool_calls' };
    }
    const detokenizer = new IncrementalDetokenizer(this.engine);
    const trailing = new TrailingWhitespace(true);
    let finishReason: FinishReason = 'length';
    for await (const generated of this.segment([...namePrompt, ...nameTokens, ...syntax.paramsPrefix.tokens], argumentsGrammar)) {
      if (this.isEnd(generated.token)) {
        finishReason = 'tool_calls';
        break;
      }
      const text = trailing.push(detokenizer.push(generated.token));
      if (text) yield { type: 'tool_arguments', choice: this.choice, index, text };
      if (this.produced >= this.request.maxTokens) break;
    }
    const rest = trailing.push(detokenizer.flush());
    if (rest) yield { type: 'tool_arguments', choice: this.choice, index, text: rest };
    yield { type: 'finish', choice: this.choice, finishReason };
  }

  /** Generates under a grammar until it completes; undefined when the token limit came first. */
  private async constrained(prompt: number[], grammar: EngineGrammar): Promise<number[] | undefined> {
    const tokens: number[] = [];
    for await (const generated of this.segment(prompt, grammar)) {
      if (this.isEnd(generated.token)) return tokens;
      tokens.push(generated.token);
      if (this.produced >= this.request.maxTokens) break;
    }
    return undefined;
  }

  /** Raw token stream of one generation step; counts tokens and honours the abort signal. */
  private async *segment(prompt: number[], grammar: EngineGrammar | undefined): AsyncGenerator<GeneratedToken> {
    const { request } = this;
    const generation = await this.sequence.generate(
      prompt,
      { sampling: { ...request.sampling, seed: this.state.seed }, grammar, logitBias: request.logitBias, logprobs: request.logprobs },
      this.signal,
    );
    if (prompt === request.promptTokens && this.choice === 0) this.state.usage.cachedPromptTokens = generation.reusedTokens;
    try {
      for await (const generated of generation.tokens) {
        if (this.signal.aborted) throw abortError(this.signal);
        if (!this.isEnd(generated.token)) this.count();
        yield generated;
      }
    } finally {
      await generation.tokens.return();
    }
    if (this.signal.aborted) throw abortError(this.signal);
  }

  private count(): void {
    this.produced++;
    this.state.usage.completionTokens++;
    const now = performance.now();
    const { timing } = this.state;
    timing.firstTokenAt ??= now;
    if (this.lastTokenAt !== undefined) timing.tokenIntervals.push(now - this.lastTokenAt);
    this.lastTokenAt = now;
  }

  private isEnd(token: number): boolean {
    return this.engine.isEndOfGeneration(token) || this.request.stopTokens.includes(token);
  }

  private logprob(generated: GeneratedToken): TokenLogprob {
    const describe = (token: number, logprob: number) => {
      // A piece that is only part of a UTF-8 character comes as its bytes; OpenAI writes those as \xNN.
      const piece = this.engine.tokenPiece(token);
      return typeof piece === 'string'
        ? { token: piece, logprob, bytes: [...Buffer.from(piece, 'utf8')] }
        : { token: piece.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''), logprob, bytes: piece };
    };
    return {
      ...describe(generated.token, generated.logprob ?? 0),
      top: (generated.top ?? []).map((t) => describe(t.token, t.logprob)),
    };
  }
}

/**
 * Holds back trailing whitespace of constrained (JSON) output: grammars allow whitespace after the
 * closing brace, which is noise in `content`. Off for free text.
 */
class TrailingWhitespace {
  private held = '';

  constructor(private readonly enabled: boolean) {}

  push(text: string): string {
    if (!this.enabled) return text;
    const combined = this.held + text;
    const body = combined.trimEnd();
    this.held = combined.slice(body.length);
    return body;
  }
}
