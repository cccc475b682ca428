import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };

/**
 * The per-token loop of node-llama-cpp's `sequence.evaluate()`, with a shortcut for a sequence that
 * decodes alone.
 *
 * node-llama-cpp sends every token, even when only one sequence of the context is generating, through
 * its batch dispatcher: the token is queued, a dispatch waits for the next event-loop turn, takes the
 * context lock, builds the batch through the prioritization strategy, decodes, and samples through a
 * callback that rebuilds the sampler's configuration, each step behind a promise of its own. With one
 * stream that JavaScript is about a tenth of a token on the CPU here (~0.2 ms against a ~2 ms decode),
 * and it is serial with the decode. When no other sequence of the context is generating and none has
 * a decode queued, this loop takes the same context lock and makes the same calls itself: one
 * `initBatch` / `addToBatch` / `decodeBatch` / `sampleToken`, with the same thread allocation and
 * disposal guard. Otherwise the token goes through node-llama-cpp's dispatcher as before (the
 * sequence's own `_decodeTokens`, with our sampler in its callback), so concurrent streams still share
 * one batch and context shifts and checkpoints still happen there.
 *
 * Sampling is node-llama-cpp's: one native sampler for the whole generation, configured from
 * `_resolveSamplerConfig`, so the same options give the same tokens either way (tests compare them
 * word for word, greedy and seeded). The configuration is applied once, or again every token when it
 * changes per token (the repeat penalty's token history).
 *
 * Everything this touches is node-llama-cpp 3.21.1's internals (pinned exactly); `tokenLoopSupported`
 * checks they are there and the adapter falls back to `sequence.evaluate()` when not.
 */

/** What the loop yields per token: the token, and with `metadata` its probabilities. */
export interface LoopToken {
  token: number;
  /** Token → probability, with `metadata.probabilities`. */
  probabilities?: Map<number, number>;
  /** The token's probability, with `metadata.confidence`. */
  confidence?: number;
}

export interface TokenLoopOptions {
  /** node-llama-cpp's evaluate options (sampling, grammar, token bias, repeat penalty). */
  evaluate: NodeLlamaCpp.SequenceEvaluateOptions;
  metadata?: { probabilities?: boolean; confidence?: boolean };
  /** Whether the shortcut may be taken (no other generation running on the context). */
  alone: () => boolean;
  /** lifecycle-utils' `withLock`, the instance node-llama-cpp uses (its locks are per module instance). */
  withLock: WithLock;
}

export type WithLock = <T>(scope: [object, string], callback: () => Promise<T>) => Promise<T>;

type Token = number;
type BatchLogitIndex = number;

interface AddonContext {
  initBatch(size: number): void;
  addToBatch(sequenceId: number, firstTokenSequenceIndex: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  setThreads(threads: number): void;
  sampleToken(index: BatchLogitIndex, sampler: AddonSampler, probabilities?: boolean, confidence?: boolean): Promise<Token | [Token, (Token | number)[] | undefined, number | undefined]>;
}

interface AddonSampler {
  applyConfig(config: object): void;
  dispose(): void;
}

interface ContextInternals {
  _ctx: AddonContext;
  _llama: { gpu: string | false; _bindings: { AddonSampler: new (model: unknown) => AddonSampler } };
  _queuedDecodes: unknown[];
  _batchDispatchPending: boolean;
  _dispatchDecodeScheduled: boolean;
  _backendContextDisposeGuard: { createPreventDisposalHandle(): { dispose(): void } };
  _threadSplitterConsumer?: { getAllocationToConsume(): [number, { dispose(): void }] | undefined | Promise<[number, { dispose(): void }] | undefined> };
  _reserveThreads(): void;
  _scheduleToFreeReservedThreads(): void;
  contextSize: number;
}

interface SequenceInternals {
  _sequenceId: number;
  _nextTokenIndex: number;
  _contextTokens: Token[];
  _tokenMeter: unknown;
  _contextShift: { size: unknown; strategy: unknown };
  _context: ContextInternals;
  model: { _model: unknown; isEogToken(token: Token): boolean };
  needsCheckpoints: boolean;
  _ensureNotDisposed(): void;
  _resolveSamplerConfig(options: object): object;
  _takeIntervalCheckpointIfNeededAfterBatch: (sequenceStateLength: number) => unknown;
  _decodeTokens(
    tokens: Token[],
    logits: boolean[],
    evaluationPriority: number,
    tokenMeter: unknown,
    contextShiftOptions: object,
    logitDataMapper: (batchLogitIndex: BatchLogitIndex) => Promise<LoopToken>,
    afterBatchAction: (sequenceStateLength: number) => unknown,
  ): Promise<LoopToken[]>;
}

/** node-llama-cpp's default evaluation priority. */
const EVALUATION_PRIORITY = 5;
const FIRST_LOGIT = Uint32Array.of(0);

/** Whether `sequence` has the node-llama-cpp internals the loop uses. */
export function tokenLoopSupported(sequence: NodeLlamaCpp.LlamaContextSequence): boolean {
  const s = sequence as unknown as SequenceInternals;
  const c = s._context;
  return (
    typeof s._decodeTokens === 'function' &&
    typeof s._resolveSamplerConfig === 'function' &&
    typeof s._takeIntervalCheckpointIfNeededAfterBatch === 'function' &&
    typeof s._sequenceId === 'number' &&
    typeof s._nextTokenIndex === 'number' &&
    Array.isArray(s._contextTokens) &&
    Array.isArray(c._queuedDecodes) &&
    typeof c._ctx?.decodeBatch === 'function' &&
    typeof c._reserveThreads === 'function' &&
    typeof c._backendContextDisposeGuard?.createPreventDisposalHandle === 'function' &&
    typeof c._llama?._bindings?.AddonSampler === 'function'
  );
}

/**
 * Decodes `first` and every token yielded after it, sampling the next one each time, until the
 * consumer stops (end-of-generation tokens are yielded too). `sequence` must be free for this loop.
 */
export async function* tokenLoop(sequence: NodeLlamaCpp.LlamaContextSequence, first: number, options: TokenLoopOptions): AsyncGenerator<LoopToken, void, void> {
  const seq = sequence as unknown as SequenceInternals;
  const context = seq._context;
  const { evaluate, metadata, alone, withLock } = options;
  const withProbabilities = Boolean(metadata?.probabilities);
  const withConfidence = Boolean(metadata?.confidence);
  const contextShift = { size: evaluate.contextShift?.size ?? seq._contextShift.size, strategy: evaluate.contextShift?.strategy ?? seq._contextShift.strategy };
  // The repeat penalty's history changes every token; everything else stays as first applied.
  const configPerToken = Boolean(evaluate.repeatPenalty);
  // node-llama-cpp serializes decodes on Vulkan with a lock of its own, which this loop does not take.
  const shortcut = context._llama.gpu !== 'vulkan' && !seq.needsCheckpoints;
  const sampler = new context._llama._bindings.AddonSampler(seq.model._model);
  let configured = false;
  let reservedThreads = false;
  // Inside the context lock, as node-llama-cpp's dispatcher does it: every batch starts with
  // `_reserveThreads()`, which cancels a pending release, so a release can then never land while a
  // batch of this context is decoding. One that did would leak every thread: node-llama-cpp's splitter
  // (3.21.1), asked to return a batch's threads once the context's last reservation is gone, divides
  // 0 by 0 and counts all of its threads as taken for good, and every later batch waits forever.
  const freeThreads = () => {
    reservedThreads = false;
    void withLock([context, 'context'], async () => context._scheduleToFreeReservedThreads());
  };

  const sample = async (index: BatchLogitIndex): Promise<LoopToken> => {
    if (!configured || configPerToken) sampler.applyConfig(seq._resolveSamplerConfig(evaluate));
    configured = true;
    const sampled = withProbabilities || withConfidence ? await context._ctx.sampleToken(index, sampler, withProbabilities, withConfidence) : await context._ctx.sampleToken(index, sampler);
    const [token, probabilities, confidence] = Array.isArray(sampled) ? sampled : [sampled];
    return { token, probabilities: probabilities && pairsToMap(probabilities), confidence };
  };

  // Inside the context lock, when nothing else is queued: one batch of one token, as node-llama-cpp's
  // dispatcher would build it, with the same thread allocation and disposal guard. The context's thread
  // reservation is kept while tokens keep coming (below): node-llama-cpp's dispatcher frees it with a
  // 0 ms timer after every batch, a timer set and cleared per token (its next batch reserves again).
  const decodeAlone = async (token: Token): Promise<LoopToken | undefined> => {
    if (context._queuedDecodes.length > 0 || seq._nextTokenIndex >= context.contextSize - 1) return undefined;
    const guard = context._backendContextDisposeGuard.createPreventDisposalHandle();
    context._reserveThreads();
    reservedThreads = true;
    try {
      const allocation = context._threadSplitterConsumer?.getAllocationToConsume();
      const [threads, handle] = (await allocation) ?? [];
      try {
        context._ctx.initBatch(1);
        const [index] = context._ctx.addToBatch(seq._sequenceId, seq._nextTokenIndex, Uint32Array.of(token), FIRST_LOGIT);
        if (threads !== undefined) context._ctx.setThreads(threads);
        await context._ctx.decodeBatch();
        seq._nextTokenIndex += 1;
        seq._contextTokens.push(token);
        return await sample(index);
      } finally {
        handle?.dispose();
      }
    } finally {
      guard.dispose();
    }
  };

  const decodeQueued = async (token: Token): Promise<LoopToken> => {
    const [result] = await seq._decodeTokens([token], [true], EVALUATION_PRIORITY, seq._tokenMeter, contextShift, sample, seq._takeIntervalCheckpointIfNeededAfterBatch);
    return result;
  };

  const quiet = () => shortcut && alone() && context._queuedDecodes.length === 0 && !context._batchDispatchPending && !context._dispatchDecodeScheduled;

  try {
    let token = first;
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    let turn = nextTurn();
    while (true) {
      seq._ensureNotDisposed();
      // A turn of the event loop before every token. Alone: with inline work the decode and sampling
      // finish in microtasks, and socket writes and other requests need the turn the dispatcher's
      // `setImmediate` gave. Not alone: every stream queues its token in the same turn, after the
      // dispatcher has finished the last batch, so the next batch holds them all (queued from a
      // microtask, a stream could catch the dispatcher still looping and go into a batch of its own).
      await turn;
      let next = quiet() ? await withLock([context, 'context'], () => decodeAlone(token)) : undefined;
      const lone = next !== undefined;
      next ??= await decodeQueued(token);
      // Checked here, not in `sample`: a throw there would reject inside node-llama-cpp's dispatcher.
      if (next.token === -1) throw new Error('Failed to sample next token');
      // A consumer that comes back for the next token without an event-loop turn (the usual case)
      // keeps the reservation; one that waits (a slow reader's backpressure) frees it meanwhile, so
      // other models' contexts get the threads. Alone (which always holds it), the same immediate is
      // the next token's turn.
      let away = true;
      const release = reservedThreads
        ? new Promise<void>((resolve) =>
            setImmediate(() => {
              if (away && reservedThreads) freeThreads();
              resolve();
            }),
          )
        : undefined;
      yield next;
      away = false;
      turn = lone && release ? release : nextTurn();
      token = next.token;
    }
  } finally {
    if (reservedThreads) freeThreads();
    sampler.dispose();
  }
}

/** node-llama-cpp's flat `[token, probability, token, probability, …]` as a map. */
function pairsToMap(pairs: (Token | number)[]): Map<number, number> {
  const map = new Map<number, number>();
  for (let i = 1; i < pairs.length; i += 2) map.set(pairs[i - 1], pairs[i]);
  return map;
}
