import { englishText, type MessageCode, type MessageParams, type Message } from './core/messages.js';

/**
 * Domain errors. Anything thrown from a route, service or query that is one of these becomes the one
 * error shape `{ error: { code, message, params, details? } }` with its status, in app.onError. Anything
 * else is a bug: it is logged and answered with a plain 500.
 *
 * The code is one of the catalogue's (server/core/messages.ts) and takes that code's params: an error
 * with an uncatalogued code, or the wrong params, does not compile. `message` is the catalogue's English
 * text, for API users and logs; the web app renders code and params in the UI's language.
 */
export type Status = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 503;

/** A code's params, then the error's details: the params may be left out when the code takes none. */
// biome-ignore lint/complexity/noBannedTypes: {} is "no params"
export type ErrorArgs<C extends MessageCode> = {} extends MessageParams<C> ? [params?: MessageParams<C>, details?: unknown] : [params: MessageParams<C>, details?: unknown];

export class AppError<C extends MessageCode = MessageCode> extends Error {
  readonly params: MessageParams<C>;
  readonly details?: unknown;
  constructor(
    readonly status: Status,
    readonly code: C,
    ...[params, details]: ErrorArgs<C>
  ) {
    const p = (params ?? {}) as MessageParams<C>;
    super(englishText(code, p));
    this.name = new.target.name;
    this.params = p;
    this.details = details;
  }

  /** An error from a code and params already paired (a sync rejection, say). */
  static of(status: Status, m: Message, details?: unknown): AppError {
    return new AppError(status, m.code as 'invalid', m.params as MessageParams<'invalid'>, details);
  }
}

/** The JSON an error is answered with (app.onError): code, its params, the English message, details if any. */
export function errorBody(e: AppError): { code: MessageCode; message: string; params: unknown; details?: unknown } {
  return { code: e.code, message: e.message, params: e.params, ...(e.details === undefined ? {} : { details: e.details }) };
}

/** One field's problem: where, its catalogued code and params, and the English text of them. */
export type FieldIssue = { path: string; code: MessageCode; params: unknown; message: string };

export function fieldIssue<C extends MessageCode>(path: string, code: C, ...[params]: ErrorArgs<C>): FieldIssue {
  const p = (params ?? {}) as MessageParams<C>;
  return { path, code, params: p, message: englishText(code, p) };
}

/** Why an import skips a row, for its report: `{ code, params, reason }` (reason: the English text). */
export function rowReason<C extends MessageCode>(code: C, ...[params]: ErrorArgs<C>): { code: C; params: MessageParams<C>; reason: string } {
  const p = (params ?? {}) as MessageParams<C>;
  return { code, params: p, reason: englishText(code, p) };
}

/** A request that does not hold what the route needs: each field's issue in `details`, code `invalid_input`. */
export class ValidationError extends AppError<'invalid_input'> {
  constructor(readonly issues: FieldIssue[]) {
    super(400, 'invalid_input', { fields: issues.map((i) => i.path) }, issues);
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ');
    this.message = `${this.message}: ${summary}${issues.length > 5 ? '; …' : ''}`;
  }
}

export class UnauthorizedError extends AppError<'unauthorized'> {
  constructor(...args: ErrorArgs<'unauthorized'>) {
    super(401, 'unauthorized', ...args);
  }
}

export class ForbiddenError extends AppError<'forbidden'> {
  constructor(why?: MessageParams<'forbidden'>['why']) {
    super(403, 'forbidden', why ? { why } : {});
  }
}

export class NotFoundError extends AppError<'not_found'> {
  constructor(what: Exclude<MessageParams<'not_found'>['what'], 'route'>) {
    super(404, 'not_found', { what });
  }
}

export class TooManyAttemptsError extends AppError<'too_many_attempts'> {
  constructor() {
    super(429, 'too_many_attempts');
  }
}
