import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmptyObject, IsObject, IsOptional, IsString, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { NotSupported } from '../../shared/validation';

/** The format of the answer's text: `text` (default), `json_object`, or `json_schema` (flat, unlike chat's `response_format`). */
export class ResponseTextFormatDto {
  /** `text`, `json_object` (any JSON object) or `json_schema`. */
  @IsIn(['text', 'json_object', 'json_schema'], { message: "'type' must be one of text, json_object, json_schema." })
  type: 'text' | 'json_object' | 'json_schema';

  /** With `json_schema`: a name for the format, letters, digits, `_` and `-`, at most 64 characters. */
  @ValidateIf((f: ResponseTextFormatDto) => f.type === 'json_schema')
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: "'name' must be 1 to 64 letters, digits, underscores or dashes." })
  name?: string;

  /**
   * With `json_schema` (required): the JSON schema the answer must fit. Supported: type, properties,
   * required, additionalProperties, items, prefixItems, min/maxItems, min/maxProperties, enum, const,
   * oneOf, anyOf, min/maxLength, format (date-time, date, time), $ref to $defs; anything else is a 400.
   */
  @ValidateIf((f: ResponseTextFormatDto) => f.type === 'json_schema')
  @IsObject({ message: "'schema' is required when 'type' is json_schema." })
  @IsNotEmptyObject()
  schema?: Record<string, unknown>;

  /** What the format is for. */
  @IsOptional()
  @IsString()
  description?: string;

  /** Accepted: llamanest always enforces the whole schema. */
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

/** Options of the answer's text. */
export class ResponseTextDto {
  /** Constrains the text: with `json_object` / `json_schema` it is generated under a grammar, so it always parses (and fits). */
  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseTextFormatDto)
  @IsObject()
  format?: ResponseTextFormatDto;

  /** Only `medium` (the default): llamanest's models have no verbosity control. */
  @IsOptional()
  @NotSupported(['medium'], 'is not supported: only medium')
  verbosity?: string | null;
}
