import { fieldName, messageText } from '../../server/core/messages';
import { ApiError } from './client';
import { type Lang, translate } from './i18n';

/**
 * The one way the web app says what went wrong: a server's code and params in the UI's language, from the
 * catalogue the server's errors are made from (server/core/messages.ts). The server's English message is
 * shown only for a code this build does not know (a newer server); the catalogue test keeps every code we
 * know in both languages.
 */
export function errorText(error: unknown, lang: Lang): string {
  // A wrapper (the tablet's "try again later") says what its cause says.
  if (error instanceof Error && !(error instanceof ApiError) && error.cause) return errorText(error.cause, lang);
  if (error instanceof ApiError) return messageText(error, lang) ?? error.message;
  // fetch failing is a TypeError: the server was not reached at all.
  if (error instanceof TypeError) return translate(lang, 'err.network');
  return error instanceof Error ? error.message : String(error);
}

/** A field issue of a validation error, e.g. "楼层数：不能小于 1". */
export function issueText(issue: { path: string; code?: string; params?: unknown; message: string }, lang: Lang): { field: string; text: string } {
  return { field: fieldName(issue.path, lang), text: (issue.code && messageText({ code: issue.code, params: issue.params }, lang)) || issue.message };
}

/** Why the server refused a record a tablet sent (kept in the outbox with it). */
export function rejectionText(reason: { code: string; params?: unknown; message: string } | null | undefined, lang: Lang): string {
  if (!reason) return '';
  return messageText(reason, lang) ?? reason.message;
}
