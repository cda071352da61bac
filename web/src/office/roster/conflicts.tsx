import { useState } from 'preact/hooks';
import { reasonText } from '../../../../server/core/i18n';
import type { Reason } from '../../../../server/core/reasons';
import { call, client, type Data } from '../../client';
import { hasString, useI18n } from '../../i18n';
import { Badge, ErrorBox, Field, Form, Loading, useAction, useLoad } from '../../ui/kit';
import { useReasonLabel } from '../format';
import type { Compound } from '../types';

type Status = 'open' | 'reviewed' | 'all';

const conflicts = client.api.compounds[':cid'].conflicts;
type ConflictRow = Data<typeof conflicts.$get>['conflicts'][number];

const STATUSES: Status[] = ['open', 'reviewed', 'all'];

/** What the server found against records offline tablets let through, for a person to reconcile. */
export function ConflictsTab(props: { compound: Compound; manage: boolean }) {
  const { t } = useI18n();
  const cid = String(props.compound.id);
  const [status, setStatus] = useState<Status>('open');
  const list = useLoad(() => call(conflicts.$get({ param: { cid }, query: { status } })), [cid, status]);
  const [open, setOpen] = useState<number | null>(null);

  return (
    <div class="roster">
      <p class="muted">{t('conflicts.hint')}</p>
      <div class="segmented" role="group" aria-label={t('status')}>
        {STATUSES.map((s) => (
          <button key={s} type="button" class={status === s ? 'active' : ''} aria-pressed={status === s} onClick={() => setStatus(s)}>
            {t(`conflicts.status.${s}`)}
          </button>
        ))}
      </div>
      <ErrorBox error={list.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <div class="table-wrap">
          <table class="table roster-table conflicts" data-testid="conflicts">
            <thead>
              <tr>
                <th>{t('time')}</th>
                <th>{t('conflicts.what')}</th>
                <th>{t('conflicts.where')}</th>
                <th>{t('conflicts.who')}</th>
                <th>{t('conflicts.review')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.conflicts.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">
                    {status === 'open' ? t('conflicts.noneOpen') : t('none')}
                  </td>
                </tr>
              )}
              {list.data.conflicts.map((c) => [
                <tr key={c.id} class={open === c.id ? 'open' : ''}>
                  <ConflictCells c={c} tz={props.compound.timezone} />
                  <td class="review">
                    {c.reviewedAt ? (
                      <Reviewed c={c} tz={props.compound.timezone} />
                    ) : props.manage ? (
                      <button type="button" class={open === c.id ? 'small' : 'small primary'} onClick={() => setOpen(open === c.id ? null : c.id)}>
                        {open === c.id ? t('cancel') : t('conflicts.markReviewed')}
                      </button>
                    ) : (
                      <Badge tone="warn">{t('conflicts.status.open')}</Badge>
                    )}
                  </td>
                </tr>,
                open === c.id && !c.reviewedAt && (
                  <tr key={`${c.id}-review`} class="editor-row">
                    <td colSpan={5}>
                      <ReviewForm
                        cid={cid}
                        id={c.id}
                        onDone={() => {
                          setOpen(null);
                          list.reload();
                        }}
                        onCancel={() => setOpen(null)}
                      />
                    </td>
                  </tr>
                ),
              ])}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** When, what happened in plain words, at which gate on which tablet, and who. */
function ConflictCells(props: { c: ConflictRow; tz: string }) {
  const { t, lang, dateTime } = useI18n();
  const label = useReasonLabel();
  const { c } = props;
  return (
    <>
      <td class="nowrap">{dateTime(c.occurredAt, props.tz)}</td>
      <td class="what">
        <Badge tone="bad">{label(c.kind)}</Badge>
        <div>{explain(c, t, (r) => reasonText(r, lang, props.tz))}</div>
        {c.overrideReason && <small class="muted">{t('conflicts.override', { reason: c.overrideReason })}</small>}
      </td>
      <td class="place">
        {c.gate} · {t(`conflicts.dir.${c.direction}`)}
        {c.device && <small class="muted block">{c.device}</small>}
      </td>
      <td class="person">
        {c.residentName ?? <span class="muted">{t('conflicts.unknownPerson')}</span>}
        {c.building && (
          <small class="muted block">
            {c.building} {c.unit}-{c.room}
          </small>
        )}
      </td>
    </>
  );
}

function explain(c: ConflictRow, t: (k: string, v?: Record<string, string | number>) => string, words: (r: Reason) => string): string {
  const d = c.details;
  if (c.kind === 'exit_quota_used' && d.period) {
    return t('conflicts.explain.exit_quota_used', { n: d.checks?.length ?? 0, allowed: d.allowed ?? 0, start: d.period.start.slice(5), next: d.period.next.slice(5) });
  }
  if (hasString(`conflicts.explain.${c.kind}`)) return t(`conflicts.explain.${c.kind}`);
  // A fact the tablet did not know yet (a revoked pass, a new test result): the server's reasons.
  const server = (d.server ?? []).filter((r) => r.code === c.kind);
  return t('conflicts.explain.other', { reasons: (server.length ? server : (d.server ?? [])).map(words).join('；') || c.kind });
}

function Reviewed(props: { c: ConflictRow; tz: string }) {
  const { t, dateTime } = useI18n();
  const auto = props.c.reviewedBy === null;
  return (
    <div class="reviewed">
      <Badge tone="ok">{t('conflicts.status.reviewed')}</Badge>{' '}
      <small class="muted">
        {auto ? t('conflicts.auto') : props.c.reviewedBy} · {dateTime(props.c.reviewedAt, props.tz)}
      </small>
      <div class="note">{auto ? t('conflicts.autoNote') : props.c.reviewNote}</div>
    </div>
  );
}

function ReviewForm(props: { cid: string; id: number; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const review = useAction(async () => {
    await call(conflicts[':id'].review.$post({ param: { cid: props.cid, id: String(props.id) }, json: { note } }));
    props.onDone();
  });
  return (
    <div class="editor single">
      <Form onSubmit={review.run} class="form inline">
        <Field label={t('conflicts.note')} hint={t('conflicts.noteHint')}>
          <textarea name="note" rows={2} required maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="primary" disabled={review.busy || !note.trim()}>
          {t('conflicts.markReviewed')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </Form>
      <ErrorBox error={review.error} />
    </div>
  );
}
