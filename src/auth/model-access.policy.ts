import { Injectable } from '@nestjs/common';
import { ModelNotFoundError } from '../inference/inference.errors';
import { ModelInfo } from '../inference/inference.types';
import { ModelRegistry } from '../inference/model-registry.service';
import { ApiKeyPrincipal } from './api-key-principal';
import { permissionDenied } from './permission-denied';

/** Which models a key may use: its allowlist names ids or aliases, `*` allows all. */
@Injectable()
export class ModelAccessPolicy {
  constructor(private readonly registry: ModelRegistry) {}

  allows(principal: ApiKeyPrincipal, model: Pick<ModelInfo, 'id' | 'aliases'>): boolean {
    if (principal.models.includes('*')) return true;
    return [model.id, ...model.aliases].some((name) => principal.models.includes(name));
  }

  /** Throws 403 for a known model the key may not use; unknown models are left to answer 404. */
  check(principal: ApiKeyPrincipal, name: string, param = 'model'): void {
    let info: ModelInfo;
    try {
      info = this.registry.describe(name);
    } catch (error) {
      if (error instanceof ModelNotFoundError) return;
      throw error;
    }
    if (!this.allows(principal, info)) throw permissionDenied(`The API key '${principal.name}' may not use the model '${name}'.`, param);
  }
}
