import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { REASON_LABELS } from '../../../../server/core/i18n';
import type { ReasonCode } from '../../../../server/core/reasons';
import { ApiError, api } from '../../api';
import { useI18n } from '../../i18n';
import { Badge, ErrorBox, Form, useLoad } from '../../ui/kit';

/** A resident as GET /residents gives them: address, active pass and latest test. */
export interface ResidentRow {
  id: number;
  name: string;
  phone: string | null;
  note: string | null;
  householdId: number;
  buildingId: number;
  building: string;
  unit: string;
  room: string;
  quarantineUntil: string | null;
  passId: number | null;
  passIssuedAt: string | null;
  testSampledAt: string | null;
  testResult: 'negative' | 'positive' | 'pending' | null;
}

export interface Building {
  id: number;
  name: string;
  unitCount: number;
}

export const PAGE_SIZE = 50;

/** "2号楼" before "10号楼". */
export const natural = (a: string, b: string) => a.localeCompare(b, 'zh-CN', { numeric: true });

export function useBuildings(compoundId: number) {
  return useLoad(
    () => api<{ items: Building[] }>(`/api/compounds/${compoundId}/buildings`).then((r) => r.items.sort((a, b) => natural(a.name, b.name))),
    [compoundId],
  );
}

/** Today's date (YYYY-MM-DD) in the compound's zone, through the same formatter as every time shown. */
export function useToday(tz: string): string {
  const { dateTime } = useI18n();
  return dateTime(new Date().toISOString(), tz).slice(0, 10);
}

/** A reason code's short label, from the words the tablet and reports share. */
export function useReasonLabel() {
  const { lang } = useI18n();
  return (code: string) => REASON_LABELS[code as ReasonCode]?.[lang === 'zh' ? 0 : 1] ?? code;
}

export function BuildingSelect(props: { buildings: Building[] | undefined; value: number | ''; onChange: (v: number | '') => void; allLabel?: string; required?: boolean; name?: string }) {
  const { t } = useI18n();
  return (
    <select name={props.name ?? 'buildingId'} value={props.value} required={props.required} onChange={(e) => props.onChange(e.currentTarget.value ? Number(e.currentTarget.value) : '')}>
      <option value="">{props.allLabel ?? t('roster.pickBuilding')}</option>
      {props.buildings?.map((b) => (
        <option key={b.id} value={b.id}>
          {b.name}
        </option>
      ))}
    </select>
  );
}

export interface ResidentFilter {
  q: string;
  buildingId: number | '';
  offset: number;
}

export const emptyFilter: ResidentFilter = { q: '', buildingId: '', offset: 0 };

/** One page of residents for a filter; GET /residents searches name, phone or an exact room number. */
export function useResidents(compoundId: number, f: ResidentFilter) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(f.offset) });
  if (f.q.trim()) params.set('q', f.q.trim());
  if (f.buildingId) params.set('buildingId', String(f.buildingId));
  const url = `/api/compounds/${compoundId}/residents?${params}`;
  return useLoad(() => api<{ total: number; residents: ResidentRow[] }>(url), [url]);
}

/** Search by name / phone / room, optionally within a building. Applies on submit, not on each key. */
export function ResidentSearch(props: { buildings: Building[] | undefined; filter: ResidentFilter; onSearch: (f: ResidentFilter) => void; children?: ComponentChildren }) {
  const { t } = useI18n();
  const [q, setQ] = useState(props.filter.q);
  const [buildingId, setBuildingId] = useState<number | ''>(props.filter.buildingId);
  // A filter set from elsewhere (a quarantined household picked) shows in the boxes too.
  useEffect(() => {
    setQ(props.filter.q);
    setBuildingId(props.filter.buildingId);
  }, [props.filter.q, props.filter.buildingId]);
  return (
    <Form onSubmit={() => props.onSearch({ q, buildingId, offset: 0 })} class="form inline roster-search">
      <label class="field">
        <span>{t('roster.building')}</span>
        <BuildingSelect
          buildings={props.buildings}
          value={buildingId}
          allLabel={t('roster.allBuildings')}
          onChange={(v) => {
            setBuildingId(v);
            props.onSearch({ q, buildingId: v, offset: 0 });
          }}
        />
      </label>
      <label class="field grow">
        <span>{t('roster.search')}</span>
        <input name="q" type="search" value={q} maxLength={40} placeholder={t('roster.searchHint')} onInput={(e) => setQ(e.currentTarget.value)} />
      </label>
      <button type="submit">{t('roster.find')}</button>
      {(props.filter.q || props.filter.buildingId) && (
        <button
          type="button"
          class="link"
          onClick={() => {
            setQ('');
            setBuildingId('');
            props.onSearch(emptyFilter);
          }}
        >
          {t('roster.clear')}
        </button>
      )}
      {props.children}
    </Form>
  );
}

export function Pager(props: { total: number; offset: number; onOffset: (n: number) => void }) {
  const { t } = useI18n();
  const { total, offset } = props;
  if (total <= PAGE_SIZE) return <p class="muted pager">{t('roster.total', { n: total })}</p>;
  return (
    <div class="pager">
      <span class="muted">{t('roster.range', { from: offset + 1, to: Math.min(offset + PAGE_SIZE, total), n: total })}</span>
      <button type="button" class="small" disabled={offset === 0} onClick={() => props.onOffset(Math.max(0, offset - PAGE_SIZE))}>
        {t('roster.prev')}
      </button>
      <button type="button" class="small" disabled={offset + PAGE_SIZE >= total} onClick={() => props.onOffset(offset + PAGE_SIZE)}>
        {t('roster.next')}
      </button>
    </div>
  );
}

export function QuarantineBadge(props: { until: string | null; today: string }) {
  const { t } = useI18n();
  if (!props.until || props.until < props.today) return <span class="muted">—</span>;
  return <Badge tone="bad">{t('roster.quarantinedUntil', { date: props.until.slice(5) })}</Badge>;
}

export function PassBadge(props: { r: ResidentRow; tz: string }) {
  const { t, dateTime } = useI18n();
  if (!props.r.passId) return <Badge tone="warn">{t('roster.noPass')}</Badge>;
  return (
    <span title={`${t('roster.issuedAt')} ${dateTime(props.r.passIssuedAt, props.tz)}`}>
      <Badge tone="ok">{t('roster.passActive')}</Badge> <small class="muted">No. {props.r.passId}</small>
    </span>
  );
}

export function TestBadge(props: { r: ResidentRow; tz: string }) {
  const { t, dateTime } = useI18n();
  const { testResult, testSampledAt } = props.r;
  if (!testResult) return <span class="muted">{t('roster.noTest')}</span>;
  const tone = testResult === 'negative' ? 'ok' : testResult === 'positive' ? 'bad' : 'warn';
  return (
    <span class="nowrap">
      <Badge tone={tone}>{t(`roster.test.${testResult}`)}</Badge> <small class="muted">{dateTime(testSampledAt, props.tz).slice(5)}</small>
    </span>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Spreadsheet imports: choose a file, preview it (dryRun), then write it: all of it, or the valid rows only.

export interface ImportReportBase {
  rows: { line: number; status: string; name?: string; address?: string; reason?: string }[];
  rejected: number;
  applied: boolean;
  message: string;
}

type Stage<R> = { kind: 'idle' } | { kind: 'preview'; report: R } | { kind: 'done'; report: R };

const IMPORT_ERRORS = ['unreadable_file', 'empty_file', 'too_many_rows', 'missing_columns', 'payload_too_large', 'unsupported_media_type'];

/** An import error: the cause in our words, the server's specifics (which columns it found) beneath. */
function ImportError(props: { error: unknown }) {
  const { t } = useI18n();
  const e = props.error;
  if (e instanceof ApiError && IMPORT_ERRORS.includes(e.code)) {
    return (
      <div class="error" role="alert">
        <div>{t(`roster.import.err.${e.code}`)}</div>
        <small>{e.message}</small>
      </div>
    );
  }
  return <ErrorBox error={e} />;
}

/**
 * The import flow both roster imports share (POST multipart: file, mode, dryRun, plus `fields`). The
 * preview is a dry run; a file with bad rows can still bring in its good ones (mode=valid_rows).
 */
export function ImportPanel<R extends ImportReportBase>(props: {
  url: string;
  title: string;
  hint: ComponentChildren;
  fields?: Record<string, string>;
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
    const body = new FormData();
    body.set('file', file);
    body.set('mode', mode);
    body.set('dryRun', String(dryRun));
    for (const [k, v] of Object.entries(props.fields ?? {})) if (v) body.set(k, v);
    setBusy(true);
    setError(undefined);
    try {
      const report = await api<R>(props.url, { body });
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
      <ImportError error={error} />
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
export function inLang(text: string, lang: 'zh' | 'en'): string {
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
                <td class="reason">{r.reason ? inLang(r.reason, lang) : ''}</td>
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
