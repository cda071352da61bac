import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { InferRequestType } from 'hono/client';
import { messageText } from '../../../../server/core/messages';
import { ApiError, type client } from '../../client';
import { useI18n } from '../../i18n';
import { Badge, ErrorBox, Form } from '../../ui/kit';

// Spreadsheet imports: choose a file, preview it (dryRun), then write it: all of it, or the valid rows only.

export interface ImportReportBase {
  rows: { line: number; status: string; name?: string; address?: string; reason?: string; code?: string; params?: unknown }[];
  rejected: number;
  applied: boolean;
  message: string;
}

type Stage<R> = { kind: 'idle' } | { kind: 'preview'; report: R } | { kind: 'done'; report: R };

/** What an import route takes (multipart): the file, how strict to be, and whether to write at all. */
export type ImportForm = InferRequestType<(typeof client.api.compounds)[':cid']['imports']['residents']['$post']>['form'];

/**
 * The import flow both roster imports share (POST multipart: file, mode, dryRun, plus what `upload` adds).
 * The preview is a dry run; a file with bad rows can still bring in its good ones (mode=valid_rows).
 */
export function ImportPanel<R extends ImportReportBase>(props: {
  /** Send the form to the import route, answering with its report. */
  upload: (form: ImportForm) => Promise<R>;
  title: string;
  hint: ComponentChildren;
  extra?: ComponentChildren;
  summary: (r: R) => ComponentChildren;
  /** How many rows the import would write (0: nothing to import). */
  writable: (r: R) => number;
  onApplied: (r: R) => void;
  /** Keep the rows on screen after importing (false when the page opens the stored report instead). */
  rowsWhenDone?: boolean;
}) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [stage, setStage] = useState<Stage<R>>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [inputKey, setInputKey] = useState(0);

  const send = async (dryRun: boolean, mode: 'strict' | 'valid_rows') => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const report = await props.upload({ file, mode, dryRun: String(dryRun) });
      setStage({ kind: dryRun ? 'preview' : 'done', report });
      if (!dryRun && report.applied) props.onApplied(report);
    } catch (e) {
      // Strict mode refuses a file with bad rows and answers with the report: show it, not a bare error.
      if (e instanceof ApiError && e.code === 'import_rejected' && e.details && typeof e.details === 'object') setStage({ kind: 'preview', report: e.details as unknown as R });
      else setError(e);
    } finally {
      setBusy(false);
    }
  };
  const reset = () => {
    setFile(null);
    setStage({ kind: 'idle' });
    setError(undefined);
    setInputKey((k) => k + 1);
  };

  const report = stage.kind === 'idle' ? null : stage.report;
  const n = report ? props.writable(report) : 0;
  return (
    <div class="panel import-panel">
      <h2>{props.title}</h2>
      <p class="muted">{props.hint}</p>
      <Form onSubmit={() => send(true, 'strict')} class="form inline">
        <label class="field grow">
          <span>{t('roster.import.file')}</span>
          <input
            key={inputKey}
            type="file"
            name="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            required
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setStage({ kind: 'idle' });
              setError(undefined);
            }}
          />
        </label>
        {props.extra}
        <button type="submit" class={stage.kind === 'idle' ? 'primary' : ''} disabled={!file || busy}>
          {busy ? t('roster.import.checking') : t('roster.import.check')}
        </button>
      </Form>
      <ErrorBox error={error} />
      {report && (
        <div class="import-result">
          <div class={stage.kind === 'done' && report.applied ? 'notice ok' : 'notice'} role="status">
            <strong>{stage.kind === 'done' && report.applied ? t('roster.import.done') : t('roster.import.preview')}</strong> {props.summary(report)}
            {stage.kind === 'preview' && (
              <div class="row-actions import-actions">
                {report.rejected === 0 && n > 0 && (
                  <button type="button" class="primary" disabled={busy} onClick={() => send(false, 'strict')}>
                    {t('roster.import.apply', { n })}
                  </button>
                )}
                {report.rejected > 0 && n > 0 && (
                  <button type="button" class="primary" disabled={busy} onClick={() => send(false, 'valid_rows')}>
                    {t('roster.import.applyValid', { n })}
                  </button>
                )}
                {n === 0 && <span>{t('roster.import.nothing')}</span>}
                <button type="button" onClick={reset}>
                  {t('cancel')}
                </button>
              </div>
            )}
            {stage.kind === 'preview' && report.rejected > 0 && <small>{t('roster.import.fixHint')}</small>}
            {stage.kind === 'done' && (
              <div class="row-actions import-actions">
                <button type="button" onClick={reset}>
                  {t('roster.import.another')}
                </button>
              </div>
            )}
          </div>
          {(stage.kind === 'preview' || props.rowsWhenDone !== false) && <ImportRows rows={report.rows} />}
        </div>
      )}
    </div>
  );
}

/** The server words import reasons as "中文 / English": show the half for the page's language. */
/** A row's reason: its catalogued code in the UI's language; a report stored before codes has "中文 / English". */
function rowReasonText(r: { reason?: string; code?: string; params?: unknown }, lang: 'zh' | 'en'): string {
  return (r.code && messageText({ code: r.code, params: r.params }, lang)) || (r.reason ? inLang(r.reason, lang) : '');
}

function inLang(text: string, lang: 'zh' | 'en'): string {
  const i = text.indexOf(' / ');
  if (i < 0) return text;
  return lang === 'zh' ? text.slice(0, i) : text.slice(i + 3);
}

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'bad' | 'muted'> = {
  created: 'ok',
  updated: 'ok',
  imported: 'ok',
  unchanged: 'muted',
  unmatched: 'warn',
  rejected: 'bad',
};

const SHOW_ROWS = 200;

/** The row-by-row report of an import, problems first to hand; long files show a page at a time. */
export function ImportRows(props: { rows: ImportReportBase['rows'] }) {
  const { t, lang } = useI18n();
  const problems = props.rows.filter((r) => r.status === 'rejected' || r.status === 'unmatched');
  const [only, setOnly] = useState(problems.length > 0);
  const [limit, setLimit] = useState(SHOW_ROWS);
  const rows = only ? problems : props.rows;
  const hasAddress = props.rows.some((r) => r.address);
  return (
    <div class="import-rows">
      <div class="form inline">
        <label class="check">
          <input type="checkbox" checked={only} onChange={(e) => setOnly(e.currentTarget.checked)} />
          {t('roster.import.onlyProblems', { n: problems.length })}
        </label>
      </div>
      <div class="table-wrap">
        <table class="table compact">
          <thead>
            <tr>
              <th>{t('roster.import.line')}</th>
              <th>{t('status')}</th>
              <th>{t('roster.name')}</th>
              {hasAddress && <th>{t('roster.address')}</th>}
              <th>{t('roster.import.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  {t('none')}
                </td>
              </tr>
            )}
            {rows.slice(0, limit).map((r) => (
              <tr key={r.line}>
                <td>{r.line}</td>
                <td>
                  <Badge tone={STATUS_TONE[r.status] ?? 'muted'}>{t(`roster.import.status.${r.status}`)}</Badge>
                </td>
                <td>{r.name ?? ''}</td>
                {hasAddress && <td>{r.address ?? ''}</td>}
                <td class="reason">{rowReasonText(r, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > limit && (
        <button type="button" class="small" onClick={() => setLimit(limit + SHOW_ROWS)}>
          {t('roster.showMore', { n: rows.length - limit })}
        </button>
      )}
    </div>
  );
}
