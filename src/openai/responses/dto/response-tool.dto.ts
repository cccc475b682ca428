import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches, registerDecorator, ValidationArguments } from 'class-validator';

/** A function the model may call (OpenAI's `FunctionTool`; built-in tools such as web_search are not offered). */
export class ResponseFunctionToolDto {
  /** Always `function`: llamanest has no built-in tools (web_search, file_search, code_interpreter, ...). */
  @IsIn(['function'], { message: (args: ValidationArguments) => `'${String(args.value)}' tools are not supported: llamanest offers only function tools.` })
  type: 'function';

  /** The function's name: letters, digits, `_` and `-`, at most 64 characters. */
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: "'name' must be 1 to 64 letters, digits, underscores or dashes." })
  name: string;

  /** What the function does; shown to the model. */
  @IsOptional()
  @IsString()
  description?: string | null;

  /** JSON schema of the arguments object (same supported subset as `text.format`); null or absent: no arguments. */
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown> | null;

  /** Accepted: arguments are always generated under the schema's grammar. */
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

/** Forces a call of one function. */
export class ResponseToolChoiceFunctionDto {
  /** Always `function`. */
  type: 'function';

  /** The function to call. */
  name: string;
}

/** `none`, `auto`, `required` or `{"type":"function","name":"..."}`. */
export function IsResponseToolChoice() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isResponseToolChoice',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => {
          if (value === 'none' || value === 'auto' || value === 'required') return true;
          const choice = value as { type?: unknown; name?: unknown } | null;
          return choice?.type === 'function' && typeof choice.name === 'string';
        },
        defaultMessage: (args: ValidationArguments) => {
          const type = (args.value as { type?: unknown } | null)?.type;
          const which = typeof type === 'string' && type !== 'function' ? ` (tool choices of type '${type}' are not supported)` : '';
          return `'tool_choice' must be 'none', 'auto', 'required' or {"type":"function","name":"..."}${which}.`;
        },
      },
    });
}
