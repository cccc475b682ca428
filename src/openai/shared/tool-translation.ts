import { GenerationRequest, JsonSchema, ToolChoice, ToolDefinition } from '../../inference/inference.types';
import { findUnsupportedSchemaFeature } from '../../inference/json-schema-support';
import { ApiError } from './api-error';

/** A JSON schema the grammars cannot enforce is a 400 naming the exact keyword, e.g. `tools[0].function.parameters.properties.age.minimum`. */
export function checkSchema(schema: JsonSchema, param: string): void {
  const problem = findUnsupportedSchemaFeature(schema);
  if (problem) {
    const where = problem.path === '(root)' ? param : `${param}.${problem.path}`;
    throw new ApiError(400, `Invalid schema at '${where}': ${problem.message}.`, 'invalid_request_error', where, 'unsupported_schema');
  }
}

/** A function tool as both wire formats describe it (chat nests it under `function`, Responses does not). */
export interface WireFunction {
  name: string;
  description?: string | null;
  parameters?: JsonSchema | null;
}

/**
 * Checks function tools and the tool choice the same way for every endpoint: schemas enforceable,
 * names unique, a named choice among the tools. `parametersParam(i)` names the schema of tool i.
 */
export function toToolOptions(
  functions: WireFunction[],
  choice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
  parametersParam: (index: number) => string,
): Pick<GenerationRequest, 'tools' | 'toolChoice' | 'parallelToolCalls'> {
  const tools = functions.map((fn, i): ToolDefinition => {
    if (fn.parameters) checkSchema(fn.parameters, parametersParam(i));
    return { name: fn.name, description: fn.description ?? undefined, parameters: fn.parameters ?? undefined };
  });
  if (choice !== undefined && choice !== 'none' && tools.length === 0) {
    throw ApiError.invalidRequest("'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  }
  if (typeof choice === 'object' && !tools.some((t) => t.name === choice.name)) {
    throw ApiError.invalidRequest(`'tool_choice' names the function '${choice.name}', which is not in 'tools'.`, 'tool_choice');
  }
  if (new Set(tools.map((t) => t.name)).size !== tools.length) {
    throw ApiError.invalidRequest("Function names in 'tools' must be unique.", 'tools');
  }
  return { tools, toolChoice: choice, parallelToolCalls: parallelToolCalls ?? true };
}
