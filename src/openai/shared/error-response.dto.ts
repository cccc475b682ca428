import { ApiProperty } from '@nestjs/swagger';

export class ErrorDto {
  /** What went wrong, for humans. */
  message: string;

  /** `invalid_request_error`, `authentication_error`, `server_error`, ... */
  type: string;

  /** The request parameter at fault, e.g. `messages[0].content`, or null. */
  @ApiProperty({ type: String, nullable: true })
  param: string | null;

  /** A machine-readable code, e.g. `model_not_found`, `context_length_exceeded`, or null. */
  @ApiProperty({ type: String, nullable: true })
  code: string | null;
}

/** The OpenAI error envelope. */
export class ErrorResponseDto {
  error: ErrorDto;
}
