/**
 * Domain errors. Anything thrown from a route, service or query that is one of these becomes the one
 * error shape `{ error: { code, message, details? } }` with its status, in app.onError. Anything else is a
 * bug: it is logged and answered with a plain 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type FieldIssue = { path: string; message: string };

export class ValidationError extends AppError {
  constructor(message: string, details?: FieldIssue[]) {
    super(400, 'invalid_input', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in first.', code = 'unauthorized') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have access to this.', code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not_found', `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class TooManyAttemptsError extends AppError {
  constructor(message = 'Too many failed attempts. Wait an hour or ask an administrator to unlock the account.') {
    super(429, 'too_many_attempts', message);
  }
}
