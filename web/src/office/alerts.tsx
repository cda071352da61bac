import { useState } from 'preact/hooks';
import { addDays, zonedDate } from '../../../server/core/time';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { ErrorBox, useAction } from '../ui/kit';
import { DateField } from '../ui/date-field';

export type Alert = Data<(typeof client.api.alerts)['$get']>['alerts'][number];

/** How long a household stays under home quarantine by default after a positive result. */
const QUARANTINE_DAYS = 14;

/**
 * Positive alerts (阳性预警): each with the person, the address, the sampling; from one, a manager puts
 * the household under home quarantine in one step (it reaches every tablet with the next roster delta)
 * and opens the gate contacts.
 */
export function AlertsPanel(props: { alerts: Alert[]; tz: string; manage: boolean; showCompound?: boolean; onChanged?: () => void }) {
  const { t, dateTime } = useI18n();
  return (
    <section class="panel alerts" data-testid="alerts">
      <h2>{t('alerts.title')}</h2>
      {!props.alerts.length && <p class="muted">{t('alerts.none')}</p>}
      <ul class="alert-list">
        {props.alerts.map((a) => (
          <li key={a.id} class={a.handledAt ? 'handled' : 'open'}>
            <div class="alert-what">
              <b>{props.showCompound ? `${a.compound} · ` : ''}</b>
              {t('alerts.line', { name: a.personName, address: `${a.buildingName} ${a.unit}-${a.room}`, sampled: dateTime(a.sampledAt, props.tz).slice(5) })}
            </div>
            <div class="alert-actions">
              {a.quarantineUntil ? <span class="badge bad">{t('alerts.quarantined', { until: a.quarantineUntil })}</span> : props.manage ? <QuarantineForm alert={a} tz={props.tz} onDone={props.onChanged} /> : null}
              <Link href={`/compounds/${a.compoundId}/contacts/${a.residentId}`}>{t('alerts.contacts')}</Link>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function QuarantineForm(props: { alert: Alert; tz: string; onDone?: (() => void) | undefined }) {
  const { t } = useI18n();
  const [until, setUntil] = useState(addDays(zonedDate(Date.now(), props.tz), QUARANTINE_DAYS));
  const go = useAction(async () => {
    await call(client.api.compounds[':cid'].alerts[':id'].quarantine.$post({ param: { cid: String(props.alert.compoundId), id: String(props.alert.id) }, json: { until } }));
    props.onDone?.();
  });
  return (
    <span class="quarantine-form">
      <label class="field">
        <span>{t('alerts.quarantine')}</span>
        <DateField name="quarantineUntil" value={until} onChange={setUntil} required />
      </label>
      <button type="button" class="primary" disabled={go.busy} onClick={() => go.run()}>
        {t('alerts.quarantineDo')}
      </button>
      <ErrorBox error={go.error} />
    </span>
  );
}
