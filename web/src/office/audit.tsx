import { useState } from 'preact/hooks';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { ErrorBox, Loading, useLoad } from '../ui/kit';
import { DateField } from '../ui/date-field';

export function AuditPage() {
  const { t, dateTime } = useI18n();
  const [action, setAction] = useState('');
  const [compoundId, setCompoundId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [before, setBefore] = useState<number | null>(null);
  const compounds = useLoad(() => call(client.api.compounds.$get()), []);
  const list = useLoad(
    () =>
      call(
        client.api.audit.$get({
          query: {
            action: action || undefined,
            compoundId: compoundId || undefined,
            // Dates as the office's clock reads them.
            from: from ? new Date(`${from}T00:00`).toISOString() : undefined,
            to: to ? new Date(new Date(`${to}T00:00`).getTime() + 86_400_000).toISOString() : undefined,
            before: before ? String(before) : undefined,
          },
        }),
      ),
    [action, compoundId, from, to, before],
  );
  const names = new Map((compounds.data?.compounds ?? []).map((c) => [c.id, c.name]));
  const filter = (set: (v: string) => void) => (e: Event) => {
    setBefore(null);
    set((e.currentTarget as HTMLInputElement).value);
  };
  const filterDate = (set: (v: string) => void) => (date: string) => {
    setBefore(null);
    set(date);
  };
  return (
    <section>
      <h1>{t('audit')}</h1>
      <div class="form inline">
        <label class="field">
          <span>{t('action')}</span>
          <input name="action" value={action} placeholder="login, export, user., device." onInput={filter(setAction)} />
        </label>
        <label class="field">
          <span>{t('audit.compound')}</span>
          <select name="compoundId" value={compoundId} onChange={filter(setCompoundId)}>
            <option value="">—</option>
            {compounds.data?.compounds.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('audit.from')}</span>
          <DateField name="from" value={from} onChange={filterDate(setFrom)} />
        </label>
        <label class="field">
          <span>{t('audit.to')}</span>
          <DateField name="to" value={to} onChange={filterDate(setTo)} />
        </label>
      </div>
      <p class="muted">{t('audit.readOnly')}</p>
      <ErrorBox error={list.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>{t('time')}</th>
              <th>{t('who')}</th>
              <th>{t('action')}</th>
              <th>{t('details')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.entries.map((e) => (
              <tr key={e.id}>
                <td class="nowrap">{dateTime(e.at)}</td>
                <td>{[e.userName, e.deviceName].filter(Boolean).join(' @ ') || '—'}</td>
                <td>
                  <code>{e.action}</code> {e.entity && <span class="muted">{e.entity} #{e.entityId}</span>}
                  {e.compoundId && <div class="muted">{names.get(e.compoundId) ?? `#${e.compoundId}`}</div>}
                </td>
                <td class="details">{e.details ? JSON.stringify(e.details) : ''} {e.ip && <span class="muted">{e.ip}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data?.nextBefore && (
        <button type="button" onClick={() => setBefore(list.data!.nextBefore)}>
          {t('more')}
        </button>
      )}
    </section>
  );
}
