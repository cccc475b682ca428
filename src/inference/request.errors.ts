import { InferenceError } from './inference.errors';
import { ModelCapability } from './model-capabilities';

/** Domain errors of embedding and tokenizer requests (and of models asked for what they do not serve). */

export class ModelCapabilityError extends InferenceError {
  constructor(readonly model: string, readonly capability: ModelCapability, readonly capabilities: readonly ModelCapability[]) {
    super(`The model '${model}' does not serve ${capability}; it serves: ${capabilities.join(', ')}.`);
  }
}

/** One input of an embedding request has more tokens than the model's embedding context takes. */
export class InputTooLongError extends InferenceError {
  /** `index` is undefined when the request had a single input rather than a list. */
  constructor(readonly index: number | undefined, readonly inputTokens: number, readonly maxTokens: number) {
    super(
      `This model's maximum input length is ${maxTokens} tokens, however ${index === undefined ? 'the input has' : `input ${index} has`} ` +
        `${inputTokens} tokens. Please shorten it.`,
    );
  }
}

/** A token id the model's vocabulary does not have; `field` and `path` locate it in the request. */
export class InvalidTokenError extends InferenceError {
  constructor(readonly field: string, readonly path: number[], readonly token: number, readonly vocabularySize: number) {
    super(`Token id ${token} is out of range: this model's vocabulary has ids 0 to ${vocabularySize - 1}.`);
  }
}

export class UnsupportedDimensionsError extends InferenceError {
  constructor(readonly model: string, readonly requested: number, readonly embeddingSize: number) {
    super(
      `The model '${model}' produces embeddings of ${embeddingSize} dimensions and cannot shorten them to ${requested}; ` +
        `omit 'dimensions' or set it to ${embeddingSize}.`,
    );
  }
}
