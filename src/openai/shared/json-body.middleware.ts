import { json, type NextFunction, type Request, type Response } from 'express';
import { ApiError } from './api-error';

/**
 * express.json with OpenAI-shaped failures: unparsable JSON is a 400 and an oversized body a
 * 413, instead of Express's HTML error page.
 */
export function jsonBody(limit: string) {
  const parse = json({ limit });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: { type?: string; status?: number }) => {
      if (!err) return next();
      const error =
        err.type === 'entity.too.large'
          ? new ApiError(413, `The request body is larger than the limit of ${limit}.`, 'invalid_request_error', null, 'request_too_large')
          : new ApiError(
              400,
              'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload.)',
              'invalid_request_error',
            );
      res.status(error.status).json(error.toEnvelope());
    });
}
