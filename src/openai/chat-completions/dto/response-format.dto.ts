import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmptyObject, IsObject, IsOptional, IsString, Matches, ValidateIf, ValidateNested } from 'class-validator';

export class ResponseFormatJsonSchemaDto {
  /** A name for the format: letters, digits, `_` and `-`, at most 64 characters. */
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: "'name' must be 1 to 64 letters, digits, underscores or dashes." })
  name: string;

  /** What the format is for (passed on to nobody: the grammar does the work). */
  @IsOptional()
  @IsString()
  description?: string;

  /**
   * The JSON schema the answer must fit. Supported: type, properties, required,
   * additionalProperties, items, prefixItems, min/maxItems, min/maxProperties, enum, const, oneOf,
   * anyOf, min/maxLength, format (date-time, date, time), $ref to $defs; anything else is a 400.
   */
  @IsOptional()
  @IsObject()
  @IsNotEmptyObject()
  schema?: Record<string, unknown>;

  /** Accepted: llamanest always enforces the whole schema. */
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

/** OpenAI's `response_format`. */
export class ResponseFormatDto {
  /** `text` (default), `json_object` (any JSON object) or `json_schema`. */
  @IsIn(['text', 'json_object', 'json_schema'], { message: "'type' must be one of text, json_object, json_schema." })
  type: 'text' | 'json_object' | 'json_schema';

  /** Required with `type: json_schema`. */
  @ValidateIf((f: ResponseFormatDto) => f.type === 'json_schema' || f.json_schema !== undefined)
  @ValidateNested()
  @Type(() => ResponseFormatJsonSchemaDto)
  @IsObject({ message: "'json_schema' is required when 'type' is json_schema." })
  json_schema?: ResponseFormatJsonSchemaDto;
}
