import { isDateString } from '../core/time.js';
import type { MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { isMessageCode, issue, messageText } from '../core/messages.js';
import { AppError, type FieldIssue, fieldIssue, ValidationError } from '../errors.js';

/**
 * Request validation: zod schemas through Hono's validator, failing with the app's one error shape. Each
 * middleware also carries its schema, so the OpenAPI document is read off the routes themselves
 * (see openapi.ts) and cannot drift from what the server really checks.
 */
export const DOC = Symbol('openapi');


export type RouteDoc =
  | { kind: 'input'; target: 'json' | 'query' | 'param' | 'form'; schema: z.ZodType }
  | { kind: 'describe'; summary: string; tags?: string[]; description?: string; auth?: string };

function attach<T extends MiddlewareHandler>(mw: T, doc: RouteDoc): T {
  (mw as any)[DOC] = doc;
  return mw;
}

// A missing field is "required", not "expected string": only the error map sees the input (issues do not keep it).
z.config({ customError: (i) => (i.code === 'invalid_type' && i.input === undefined ? issue('required') : undefined) });

/**
 * Each zod issue as a catalogued field issue a person can act on, in either language: "required" rather
 * than "expected string, received undefined". A schema's own message is a catalogue code (`issue(…)`).
 */
export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => fieldIssueOf(i, i.path.map(String).join('.') || '(body)'));
}

function fieldIssueOf(i: z.core.$ZodIssue, path: string): FieldIssue {
  if (isMessageCode(i.message)) {
    const params = i.code === 'custom' ? (i.params ?? {}) : {};
    return { path, code: i.message, params, message: messageText({ code: i.message, params }, 'en') ?? i.message };
  }
  switch (i.code) {
    case 'invalid_type':
      return fieldIssue(path, 'wrong_type', { expected: i.expected });
    case 'too_small': {
      const min = Number(i.minimum) + (i.inclusive === false ? 1 : 0);
      if (i.origin === 'string') return min === 1 ? fieldIssue(path, 'not_empty') : fieldIssue(path, 'too_short', { min });
      if (i.origin === 'array' || i.origin === 'set') return fieldIssue(path, 'too_few', { min });
      return fieldIssue(path, 'too_small', { min: Number(i.minimum) });
    }
    case 'too_big': {
      const max = Number(i.maximum) - (i.inclusive === false ? 1 : 0);
      if (i.origin === 'string') return fieldIssue(path, 'too_long', { max });
      if (i.origin === 'array' || i.origin === 'set') return fieldIssue(path, 'too_many', { max });
      return fieldIssue(path, 'too_big', { max: Number(i.maximum) });
    }
    case 'invalid_format':
      return fieldIssue(path, 'bad_format', { format: i.format });
    case 'invalid_value':
      return fieldIssue(path, 'not_one_of', { options: i.values.map(String) });
    case 'unrecognized_keys':
      return fieldIssue(path, 'unknown_keys', { keys: i.keys });
    default:
      return fieldIssue(path, 'invalid');
  }
}

export function validationError(error: z.ZodError): ValidationError {
  return new ValidationError(issuesOf(error));
}

/** Parse `value` with `schema` or throw the app's validation error. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** A validator middleware whose validated value `c.req.valid(target)` has the schema's output type. */
type Validated<Target extends 'json' | 'query' | 'param' | 'form', T extends z.ZodType> = MiddlewareHandler<
  any,
  string,
  { in: { [K in Target]: z.input<T> }; out: { [K in Target]: z.output<T> } }
>;

function make<Target extends 'json' | 'query' | 'param' | 'form', T extends z.ZodType>(target: Target, schema: T): Validated<Target, T> {
  const inner = validator(target, (value) => parseOrThrow(schema, value)) as unknown as MiddlewareHandler;
  const mw: MiddlewareHandler = async (c, next) => {
    if (target === 'json') {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
      if (!JSON_TYPE.test(type)) {
        throw new AppError(415, 'unsupported_media_type', { want: 'json' });
      }
    }
    if (target === 'form' && !/^multipart\/form-data/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError(415, 'unsupported_media_type', { want: 'multipart' });
    }
    return inner(c, next);
  };
  return attach(mw, { kind: 'input', target, schema }) as unknown as Validated<Target, T>;
}

export const json = <T extends z.ZodType>(schema: T) => make('json', schema);
export const query = <T extends z.ZodType>(schema: T) => make('query', schema);
export const param = <T extends z.ZodType>(schema: T) => make('param', schema);
/** A multipart upload: fields and files (File objects). */
export const form = <T extends z.ZodType>(schema: T) => make('form', schema);

/** An uploaded spreadsheet field. */
export const uploadedFile = z.instanceof(File, { message: issue('attach_file') });
/** Form fields arrive as text: "true" / "1" / "on" mean yes. */
export const formFlag = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'on');

/** A no-op middleware that names the route in the OpenAPI document. */
export function describe(summary: string, opts: { tags?: string[]; description?: string; auth?: string } = {}) {
  const mw: MiddlewareHandler = async (_c, next) => next();
  return attach(mw, { kind: 'describe', summary, ...opts });
}

/** Common field schemas. */
const ID_TEXT = /^[1-9][0-9]{0,14}$/;
/** An id as a path or query gives it: plain decimal digits, nothing around them (not " 12", "012", "1e1", "0x0c"). */
export function parseId(text: string | undefined): number | null {
  return text !== undefined && ID_TEXT.test(text) ? Number(text) : null;
}
/**
 * A database id: a positive whole JSON number, or its one decimal text in a path, query or form. One id,
 * one text: anything a lenient Number() would also read (spaces, leading zeros, exponents, hex) is refused
 * here, in the validators, rather than trimmed in some places and not others.
 */
export const id = z
  .union([z.number(), z.string()], { error: issue('whole_number') })
  .refine((v) => (typeof v === 'number' ? Number.isSafeInteger(v) && v > 0 : ID_TEXT.test(v)), issue('whole_number'))
  .transform((v) => Number(v));
export const idParam = z.object({ id });
/** A local calendar date, 'YYYY-MM-DD', in a range people mean (2000–2099). */
export const localDate = z.string().refine((s) => isDateString(s) && s >= '2000-01-01' && s <= '2099-12-31', issue('date_format'));
export const text = (max = 100) => z.string().trim().min(1, issue('not_empty')).max(max);
