import { useState } from 'preact/hooks';
import { auditSentence } from '../../../server/core/audit';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { ErrorBox, Loading, useLoad } from '../ui/kit';
import { DateField } from '../ui/date-field';

// The filter's choices: a prefix of the actions (the server filters by prefix), each a kind of thing done.
const GROUPS = ['login', 'export', 'user.', 'device.', 'compound.', 'gate.', 'building.', 'point.', 'resident.', 'household.', 'pass.', 'test_', 'policy.', 'disinfection.', 'gate_check.', 'conflict.'];

export function AuditPage() {
  const { t, lang, dateTime } = useI18n();
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
          <select name="action" value={action} onChange={filter(setAction)}>
            <option value="">{t('audit.all')}</option>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`audit.group.${g}`)}
              </option>
            ))}
          </select>
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
              <th>{t('audit.event')}</th>
              <th>{t('audit.compound')}</th>
              <th>IP</th>
            </tr>
          </thead>
          <tbody>
            {list.data.entries.map((e) => (
              <tr key={e.id}>
                <td class="nowrap">{dateTime(e.at)}</td>
                <td data-action={e.action}>{auditSentence(e, lang, { dateTime: (iso) => dateTime(iso) })}</td>
                <td>{e.compoundId ? (names.get(e.compoundId) ?? `#${e.compoundId}`) : '—'}</td>
                <td class="muted">{e.ip ?? ''}</td>
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
