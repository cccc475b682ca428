import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyStore } from './api-key.store';

@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly keys: ApiKeyStore) {
    super();
  }

  validate(token: string): ApiKeyPrincipal | false {
    return this.keys.verify(token) ?? false;
  }
}
