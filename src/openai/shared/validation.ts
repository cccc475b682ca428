import { ValidationError, ValidationPipe } from '@nestjs/common';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from './api-error';

/**
 * The global pipe: unknown fields are dropped (tolerant reader), known ones are validated and the
 * first problem becomes a 400 whose `param` names the field, e.g. `messages[1].content`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: false,
    stopAtFirstError: true,
    exceptionFactory: (errors) => toApiError(errors),
  });
}

function toApiError(errors: ValidationError[]): ApiError {
  const { path, message, constraint } = firstProblem(errors, '');
  return ApiError.invalidRequest(message, path || null, constraint === 'notSupported' ? 'unsupported_parameter' : 'invalid_value');
}

function firstProblem(errors: ValidationError[], prefix: string): { path: string; message: string; constraint?: string } {
  const error = errors[0];
  const path = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
  if (error.constraints) {
    const [constraint, message] = Object.entries(error.constraints)[0];
    const element = elementCheckers.get(constraint)?.(error.value, path);
    return { path: path + (element?.path ?? ''), message, constraint };
  }
  if (error.children?.length) return firstProblem(error.children, path);
  return { path, message: `Invalid value for '${path}'.` };
}

/**
 * A parameter of the OpenAI API that this server cannot honour: any value other than the
 * harmless ones (the API's own defaults) is a 400 naming it, never silently ignored.
 */
export function NotSupported(harmlessValues: unknown[] = [], reason = 'is not supported by this server yet', options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'notSupported',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => value === undefined || value === null || harmlessValues.some((h) => isDeepStrictEqual(h, value)),
        defaultMessage: (args: ValidationArguments) => `'${args.property}' ${reason}.`,
      },
    });
}

/** A value that is either a string or an array of strings (like `stop`). */
export function IsStringOrStringArray(maxItems: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringOrStringArray',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' || (Array.isArray(value) && value.length <= maxItems && value.every((v) => typeof v === 'string' && v.length > 0)),
        defaultMessage: (args: ValidationArguments) => `'${args.property}' must be a string or an array of at most ${maxItems} non-empty strings.`,
      },
    });
}

/** Where inside a value a check failed (`[2]`, `[1][0]`, or `''` for the value itself) and why. */
export interface ElementProblem {
  path: string;
  message: string;
}

type ElementChecker = (value: unknown, property: string) => ElementProblem | null;

const elementCheckers = new Map<string, ElementChecker>();

/**
 * A validator that knows which element of an array failed, so the 400's `param` names it
 * (`input[2]`). `check` returns null for a valid value; `name` must be unique.
 */
export function ValidateElements(name: string, check: ElementChecker, options?: ValidationOptions) {
  elementCheckers.set(name, check);
  return (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => check(value, propertyName) === null,
        defaultMessage: (args: ValidationArguments) => check(args.value, args.property)?.message ?? `Invalid value for '${args.property}'.`,
      },
    });
}

/** OpenAI's `logit_bias`: token ids (as string keys) to numbers from -100 to 100. */
export function IsLogitBias(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLogitBias',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(([k, v]) => /^\d+$/.test(k) && typeof v === 'number' && v >= -100 && v <= 100),
        defaultMessage: (args: ValidationArguments) => `'${args.property}' must map token ids to numbers from -100 to 100.`,
      },
    });
}
