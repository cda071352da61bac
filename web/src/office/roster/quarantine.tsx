import { useState } from 'preact/hooks';
import { call, client, type Data } from '../../client';
import { useI18n } from '../../i18n';
import { ErrorBox, Field, Form, Loading, useAction, useLoad } from '../../ui/kit';
import { DateField } from '../../ui/date-field';

// Home quarantine: a household's, set or cleared; and every household under it today.

const households = client.api.compounds[':cid'].households;
export type Household = Data<typeof households.$get>['households'][number];

/** Set or clear a household's home quarantine (until a date, inclusive, with the reason). */
export function QuarantineForm(props: { cid: string; household: { id: number; buildingId: number; label: string; until: string | null }; today: string; onChanged: () => void }) {
  const { t } = useI18n();
  const h = props.household;
  // The resident list carries the date only; the reason lives on the household.
  const current = useLoad(
    () => call(households.$get({ param: { cid: props.cid }, query: { buildingId: h.buildingId } })).then((r) => r.households.find((x) => x.id === h.id)),
    [h.id, h.until],
  );
  const active = !!h.until && h.until >= props.today;
  const [until, setUntil] = useState(active ? h.until! : '');
  const [note, setNote] = useState<string | null>(null);
  const reason = note ?? current.data?.quarantineNote ?? '';
  const set = useAction(async (clear: boolean) => {
    if (clear && !confirm(t('residents.confirmClearQuarantine', { household: h.label }))) return;
    await call(
      households[':id'].$patch({ param: { cid: props.cid, id: String(h.id) }, json: clear ? { quarantineUntil: null } : { quarantineUntil: until, quarantineNote: reason.trim() || null } }),
    );
    props.onChanged();
  });
  return (
    <div class="quarantine-box">
      <h3>
        {t('residents.householdQuarantine')} · {h.label}
      </h3>
      <p class="muted">{active ? t('residents.quarantineNow', { date: h.until!, reason: current.data?.quarantineNote || '—' }) : t('residents.quarantineNone')}</p>
      <Form onSubmit={() => set.run(false)} class="form inline">
        <Field label={t('residents.quarantineUntil')}>
          <DateField name="quarantineUntil" value={until} min={props.today} required onChange={setUntil} />
        </Field>
        <Field label={t('residents.quarantineReason')}>
          <input name="quarantineNote" value={reason} maxLength={200} placeholder={t('residents.quarantineReasonHint')} onInput={(e) => setNote(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="primary" disabled={set.busy}>
          {active ? t('residents.quarantineChange') : t('residents.quarantineSet')}
        </button>
        {active && (
          <button type="button" class="danger" disabled={set.busy} onClick={() => set.run(true)}>
            {t('residents.quarantineClear')}
          </button>
        )}
      </Form>
      <ErrorBox error={set.error || current.error} />
    </div>
  );
}

/** Every household under home quarantine today, to see at a glance and clear when it ends. */
export function QuarantinedHouseholds(props: { cid: string; today: string; manage: boolean; onChanged: () => void; onPick: (h: Household) => void }) {
  const { t } = useI18n();
  const list = useLoad(() => call(households.$get({ param: { cid: props.cid }, query: {} })), [props.cid]);
  const clear = useAction(async (h: Household) => {
    if (!confirm(t('residents.confirmClearQuarantine', { household: `${h.building} ${h.unit}-${h.room}` }))) return;
    await call(households[':id'].$patch({ param: { cid: props.cid, id: String(h.id) }, json: { quarantineUntil: null } }));
    list.reload();
    props.onChanged();
  });
  const rows = list.data?.households.filter((h) => h.quarantineUntil && h.quarantineUntil >= props.today) ?? [];
  return (
    <div class="panel">
      <h2>
        {t('residents.quarantined')} {list.data && <small class="muted">{t('residents.households', { n: rows.length })}</small>}
      </h2>
      <ErrorBox error={list.error || clear.error} />
      {!list.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p class="muted">{t('residents.noQuarantine')}</p>
      ) : (
        <div class="table-wrap">
          <table class="table compact">
            <thead>
              <tr>
                <th>{t('roster.household')}</th>
                <th>{t('residents.quarantineUntil')}</th>
                <th>{t('residents.quarantineReason')}</th>
                <th>{t('residents.people')}</th>
                {props.manage && <th>{t('actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((h) => (
                <tr key={h.id}>
                  <td>
                    <button type="button" class="link" title={t('residents.showPeople')} onClick={() => props.onPick(h)}>
                      {h.building} {h.unit}-{h.room}
                    </button>
                  </td>
                  <td>{h.quarantineUntil}</td>
                  <td>{h.quarantineNote ?? '—'}</td>
                  <td>{h.residents}</td>
                  {props.manage && (
                    <td>
                      <button type="button" class="small danger" disabled={clear.busy} onClick={() => clear.run(h)}>
                        {t('residents.quarantineClear')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
