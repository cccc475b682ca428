import { JsonSchema } from './inference.types';

/** Keywords node-llama-cpp's JSON-schema grammars enforce. */
const ENFORCED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'oneOf',
  'anyOf',
  'minLength',
  'maxLength',
  'format',
  '$ref',
  '$defs',
]);

/** Keywords that only annotate and constrain nothing. */
const ANNOTATIONS = new Set(['title', 'description', 'examples', 'default', '$schema', '$id', '$comment', 'deprecated', 'readOnly', 'writeOnly']);

const FORMATS = new Set(['date-time', 'date', 'time']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);

export interface SchemaProblem {
  /** Path inside the schema, e.g. `properties.age.minimum`. */
  path: string;
  message: string;
}

/**
 * Finds the first part of `schema` that generation could not enforce, so the request can be
 * refused instead of returning output that may not fit. Returns null when all of it is enforceable.
 * `anyOf` is enforced as an alternation (which is exactly its meaning).
 */
export function findUnsupportedSchemaFeature(schema: unknown, path = ''): SchemaProblem | null {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return { path: path || '(root)', message: 'must be a JSON schema object' };
  }
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (!ENFORCED.has(key)) return { path: at(key), message: `the JSON schema keyword '${key}' cannot be enforced during generation` };
    const problem = checkKeyword(key, value, at(key));
    if (problem) return problem;
  }
  return null;
}

function checkKeyword(key: string, value: unknown, path: string): SchemaProblem | null {
  switch (key) {
    case 'type': {
      const types = Array.isArray(value) ? value : [value];
      const bad = types.find((t) => typeof t !== 'string' || !TYPES.has(t));
      if (bad !== undefined) return { path, message: `unknown type ${JSON.stringify(bad)}` };
      if (types.length > 1 && types.some((t) => t === 'object' || t === 'array')) {
        return { path, message: 'a list of types may only hold string, number, integer, boolean and null (use anyOf for objects and arrays)' };
      }
      return null;
    }
    case 'format':
      return FORMATS.has(value as string) ? null : { path, message: `the string format ${JSON.stringify(value)} cannot be enforced (supported: date-time, date, time)` };
    case '$ref':
      return typeof value === 'string' && value.startsWith('#/$defs/') ? null : { path, message: "only local references of the form '#/$defs/<name>' are supported" };
    case 'properties':
    case '$defs':
      return eachEntry(value, path);
    case 'items':
    case 'additionalProperties':
      return typeof value === 'boolean' ? null : findUnsupportedSchemaFeature(value, path);
    case 'prefixItems':
    case 'oneOf':
    case 'anyOf':
      if (!Array.isArray(value)) return { path, message: 'must be an array of schemas' };
      for (const [i, item] of value.entries()) {
        const problem = findUnsupportedSchemaFeature(item, `${path}[${i}]`);
        if (problem) return problem;
      }
      return null;
    default:
      return null;
  }
}

function eachEntry(value: unknown, path: string): SchemaProblem | null {
  if (typeof value !== 'object' || value === null) return { path, message: 'must be an object of schemas' };
  for (const [name, schema] of Object.entries(value)) {
    const problem = findUnsupportedSchemaFeature(schema, `${path}.${name}`);
    if (problem) return problem;
  }
  return null;
}

/** The schema as node-llama-cpp expects it: `anyOf` written as `oneOf`. Call after the check above. */
export function toGrammarSchema(schema: JsonSchema): JsonSchema {
  const converted: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' || key === '$defs') {
      converted[key] = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([name, s]) => [name, toGrammarSchema(s)]));
    } else if (key === 'items' || key === 'additionalProperties') {
      converted[key] = typeof value === 'object' && value !== null ? toGrammarSchema(value as JsonSchema) : value;
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'prefixItems') {
      converted[key === 'anyOf' ? 'oneOf' : key] = (value as JsonSchema[]).map(toGrammarSchema);
    } else {
      converted[key] = value;
    }
  }
  return converted;
}
