/** Domain errors of the engine; the wire layer maps each one to an HTTP status and envelope. */
export abstract class InferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ModelNotFoundError extends InferenceError {
  constructor(readonly model: string) {
    super(`The model '${model}' does not exist or you do not have access to it.`);
  }
}

/** The model failed to load; the reason is in the server log, not in the message (it may name local paths). */
export class ModelLoadError extends InferenceError {
  constructor(readonly model: string) {
    super(`The model '${model}' is not available: it failed to load (the server log has the reason).`);
  }
}

/** Loading the model would not fit in memory (the budget or what the system has left), even after unloading idle models. */
export class InsufficientMemoryError extends InferenceError {
  constructor(readonly model: string, readonly requiredBytes: number, readonly availableBytes: number, readonly limit: 'budget' | 'system') {
    super(
      `The model '${model}' cannot be loaded now: it needs about ${mib(requiredBytes)} MiB of memory but only ${mib(availableBytes)} MiB ` +
        `${limit === 'budget' ? 'are left in the configured memory budget' : 'are available on the server'} and the other loaded models are in use. Please retry later.`,
    );
  }
}

/** `maxLoadedModels` are loaded and every one of them is serving requests, so none can make room. */
export class ModelCapacityError extends InferenceError {
  constructor(readonly model: string, readonly maxLoadedModels: number, readonly retryAfterSeconds: number) {
    super(
      `The model '${model}' cannot be loaded now: the server keeps at most ${maxLoadedModels} model(s) loaded and all of them are in use. ` +
        `Please retry after ${retryAfterSeconds} seconds.`,
    );
  }
}

/** An explicit unload of a model that is serving or queueing requests. */
export class ModelInUseError extends InferenceError {
  constructor(readonly model: string, readonly requests: number) {
    super(`The model '${model}' is serving ${requests} request(s) and cannot be unloaded now.`);
  }
}

function mib(bytes: number): number {
  return Math.ceil(bytes / 1024 ** 2);
}

export class ContextLengthExceededError extends InferenceError {
  constructor(readonly contextLength: number, readonly promptTokens: number, readonly requestedTokens: number) {
    super(
      requestedTokens > 0
        ? `This model's maximum context length is ${contextLength} tokens. However, you requested ${promptTokens + requestedTokens} tokens ` +
            `(${promptTokens} in the messages, ${requestedTokens} in the completion). Please reduce the length of the messages or completion.`
        : `This model's maximum context length is ${contextLength} tokens. However, your messages resulted in ${promptTokens} tokens, ` +
            'which leaves no room for a completion. Please reduce the length of the messages.',
    );
  }
}

export class QueueFullError extends InferenceError {
  constructor(readonly model: string, readonly retryAfterSeconds: number) {
    super(`The server is busy: all sequences of model '${model}' are in use and its queue is full. Please retry after ${retryAfterSeconds} seconds.`);
  }
}

/** A request the engine cannot carry out as asked; `param` names the offending request part. */
export class InvalidGenerationRequestError extends InferenceError {
  constructor(message: string, readonly param: string | null) {
    super(message);
  }
}

/** The request was abandoned by its client (disconnect) before or during generation. */
export class GenerationAbortedError extends InferenceError {
  constructor() {
    super('The request was aborted by the client.');
  }
}

/** The server is shutting down and ended the request (it did not finish within the drain timeout). */
export class ServerShuttingDownError extends InferenceError {
  constructor() {
    super('The server is shutting down and could not finish this request. Please retry shortly.');
  }
}

/** The error to throw for an aborted request: the signal's own reason when it is ours (shutdown), else a client abort. */
export function abortError(signal: AbortSignal): InferenceError {
  return signal.reason instanceof InferenceError ? signal.reason : new GenerationAbortedError();
}
