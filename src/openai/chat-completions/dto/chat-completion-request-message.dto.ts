import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Equals, IsArray, IsIn, IsOptional, IsString, registerDecorator, ValidateIf, ValidateNested, ValidationArguments } from 'class-validator';

export const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

export class ChatCompletionMessageToolCallFunctionDto {
  /** The name of the function that was called. */
  @IsString()
  name: string;

  /** The arguments the function was called with, as a JSON string. */
  @IsString()
  arguments: string;
}

export class ChatCompletionMessageToolCallDto {
  /** The id of the tool call. */
  @IsString()
  id: string;

  /** Always `function`. */
  @Equals('function')
  type: 'function';

  @ValidateNested()
  @Type(() => ChatCompletionMessageToolCallFunctionDto)
  function: ChatCompletionMessageToolCallFunctionDto;
}

export class ChatCompletionRequestMessageContentPartTextDto {
  /** Always `text`; other part types (images, audio, files) are not supported by llamanest's text models. */
  type: 'text';

  /** The text content. */
  text: string;
}

/** A message of the conversation. */
export class ChatCompletionRequestMessageDto {
  /** Who wrote the message. `developer` is treated like `system`. */
  @IsIn(MESSAGE_ROLES, { message: `'role' must be one of ${MESSAGE_ROLES.join(', ')}.` })
  role: (typeof MESSAGE_ROLES)[number];

  /**
   * The text of the message, or an array of text parts. May be null only for assistant
   * messages that carry `tool_calls`.
   */
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { $ref: '#/components/schemas/ChatCompletionRequestMessageContentPartTextDto' } }],
    nullable: true,
  })
  @IsMessageContent()
  content: string | ChatCompletionRequestMessageContentPartTextDto[] | null;

  /** An optional name for the participant. */
  @IsOptional()
  @IsString()
  name?: string;

  /** For assistant messages: the thinking of a reasoning model, as it returned it (`reasoning_content`). */
  @IsOptional()
  @IsString()
  reasoning_content?: string | null;

  /** Tool calls an assistant message made earlier in the conversation. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ChatCompletionMessageToolCallDto)
  tool_calls?: ChatCompletionMessageToolCallDto[];

  /** For `tool` messages: the id of the tool call this message answers. */
  @ValidateIf((m: ChatCompletionRequestMessageDto) => m.role === 'tool' || m.tool_call_id !== undefined)
  @IsString({ message: "'tool_call_id' is required for messages with role 'tool'." })
  tool_call_id?: string;
}

function IsMessageContent() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isMessageContent',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => contentProblem(value, args.object as ChatCompletionRequestMessageDto) === null,
        defaultMessage: (args: ValidationArguments) => contentProblem(args.value, args.object as ChatCompletionRequestMessageDto) ?? '',
      },
    });
}

function contentProblem(value: unknown, message: ChatCompletionRequestMessageDto): string | null {
  if (typeof value === 'string') return null;
  if (value === null || value === undefined) {
    return message.role === 'assistant' && Array.isArray(message.tool_calls) ? null : "'content' is required for this message.";
  }
  if (!Array.isArray(value)) return "'content' must be a string or an array of content parts.";
  for (const part of value) {
    if (typeof part !== 'object' || part === null) return "'content' parts must be objects.";
    const { type, text } = part as Record<string, unknown>;
    if (type !== 'text') return `'content' part type '${String(type)}' is not supported: llamanest serves text-only models.`;
    if (typeof text !== 'string') return "'content' text parts need a string 'text'.";
  }
  return null;
}

/** The text of a message's content (text parts joined). */
export function messageText(content: ChatCompletionRequestMessageDto['content']): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}
