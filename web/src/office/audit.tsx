import { useState } from 'preact/hooks';
import { api } from '../api';
import { useI18n } from '../i18n';
import { ErrorBox, Loading, useLoad } from '../ui/kit';

interface Entry {
  id: number;
  at: string;
  action: string;
  entity: string | null;
  entityId: string | null;
  compoundId: number | null;
  details: unknown;
  ip: string | null;
  userName: string | null;
  deviceName: string | null;
}

export function AuditPage() {
  const { t, dateTime } = useI18n();
  const [action, setAction] = useState('');
  const [compoundId, setCompoundId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [before, setBefore] = useState<number | null>(null);
  const compounds = useLoad(() => api<{ compounds: { id: number; name: string }[] }>('/api/compounds'), []);
  const list = useLoad(() => {
    const qs = new URLSearchParams();
    if (action) qs.set('action', action);
    if (compoundId) qs.set('compoundId', compoundId);
    // Dates as the office's clock reads them.
    if (from) qs.set('from', new Date(`${from}T00:00`).toISOString());
    if (to) qs.set('to', new Date(new Date(`${to}T00:00`).getTime() + 86_400_000).toISOString());
    if (before) qs.set('before', String(before));
    return api<{ entries: Entry[]; nextBefore: number | null }>(`/api/audit?${qs}`);
  }, [action, compoundId, from, to, before]);
  const names = new Map((compounds.data?.compounds ?? []).map((c) => [c.id, c.name]));
  const filter = (set: (v: string) => void) => (e: Event) => {
    setBefore(null);
    set((e.currentTarget as HTMLInputElement).value);
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
          <input type="date" name="from" value={from} onInput={filter(setFrom)} />
        </label>
        <label class="field">
          <span>{t('audit.to')}</span>
          <input type="date" name="to" value={to} onInput={filter(setTo)} />
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
