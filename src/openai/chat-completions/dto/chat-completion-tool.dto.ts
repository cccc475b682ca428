import { Type } from 'class-transformer';
import { Equals, IsBoolean, IsObject, IsOptional, IsString, Matches, registerDecorator, ValidateNested } from 'class-validator';

export class FunctionObjectDto {
  /** The function's name: letters, digits, `_` and `-`, at most 64 characters. */
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: "'name' must be 1 to 64 letters, digits, underscores or dashes." })
  name: string;

  /** What the function does; shown to the model. */
  @IsOptional()
  @IsString()
  description?: string;

  /** JSON schema of the arguments object (same supported subset as `response_format`). Omit for no arguments. */
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  /** Accepted: arguments are always generated under the schema's grammar. */
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

/** A function the model may call (OpenAI's `ChatCompletionTool`). */
export class ChatCompletionToolDto {
  /** Always `function`. */
  @Equals('function', { message: "'type' must be 'function' (custom tools are not supported)." })
  type: 'function';

  @ValidateNested()
  @Type(() => FunctionObjectDto)
  @IsObject()
  function: FunctionObjectDto;
}

export class ChatCompletionNamedToolChoiceFunctionDto {
  /** The function to call. */
  name: string;
}

/** Forces a call of one function. */
export class ChatCompletionNamedToolChoiceDto {
  /** Always `function`. */
  type: 'function';

  function: ChatCompletionNamedToolChoiceFunctionDto;
}

/** `none`, `auto`, `required` or `{"type":"function","function":{"name":"..."}}`. */
export function IsToolChoice() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isToolChoice',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => {
          if (value === 'none' || value === 'auto' || value === 'required') return true;
          const choice = value as { type?: unknown; function?: { name?: unknown } } | null;
          return choice?.type === 'function' && typeof choice.function?.name === 'string';
        },
        defaultMessage: () => `'tool_choice' must be 'none', 'auto', 'required' or {"type":"function","function":{"name":"..."}}.`,
      },
    });
}
