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
  const [before, setBefore] = useState<number | null>(null);
  const list = useLoad(() => {
    const qs = new URLSearchParams();
    if (action) qs.set('action', action);
    if (before) qs.set('before', String(before));
    return api<{ entries: Entry[]; nextBefore: number | null }>(`/api/audit?${qs}`);
  }, [action, before]);
  return (
    <section>
      <h1>{t('audit')}</h1>
      <div class="form inline">
        <label class="field">
          <span>{t('action')}</span>
          <input name="action" value={action} placeholder="login, user., device." onInput={(e) => { setBefore(null); setAction(e.currentTarget.value); }} />
        </label>
      </div>
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
