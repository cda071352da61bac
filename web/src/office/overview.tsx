import { compareNatural } from '../../../server/core/natural';
import { useEffect, useState } from 'preact/hooks';
import { addDays, zonedDate } from '../../../server/core/time';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { ErrorBox, Loading, useLoad } from '../ui/kit';
import { LineChart } from './charts';
import { AlertsPanel } from './alerts';

/** How often the overview asks for new positive alerts. */
const ALERT_POLL_MS = 15_000;
import { DateField } from '../ui/date-field';

type Row = Data<typeof client.api.overview.$get>['rows'][number];

type Key = 'compound' | 'passed' | 'turnedBack' | 'overrides' | 'visitors' | 'rate' | 'missed' | 'tablets' | 'conflicts';
const VALUE: Record<Key, (r: Row) => number | string> = {
  compound: (r) => r.compound,
  passed: (r) => r.in + r.out,
  turnedBack: (r) => r.turnedBack,
  overrides: (r) => r.overrides,
  visitors: (r) => r.visitors,
  rate: (r) => r.disinfection.rate ?? -1,
  missed: (r) => r.disinfection.missed,
  tablets: (r) => r.tablets.online,
  conflicts: (r) => r.conflictsOpen,
};

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);

/** The district at a glance: one sortable row per compound over a date range, and charts comparing them. */
export function OverviewPage() {
  const { t } = useI18n();
  // Today as the office's clock reads it; each compound's figures are counted in its own time zone.
  const today = zonedDate(Date.now(), Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [from, setFrom] = useState(addDays(today, -6));
  const [to, setTo] = useState(today);
  const [sort, setSort] = useState<{ key: Key; desc: boolean }>({ key: 'passed', desc: true });
  const data = useLoad(() => call(client.api.overview.$get({ query: { from, to } })), [from, to]);
  const rows = [...(data.data?.rows ?? [])].sort((a, b) => {
    const [x, y] = [VALUE[sort.key](a), VALUE[sort.key](b)];
    const c = typeof x === 'string' ? compareNatural(x, String(y)) : x - (y as number);
    return sort.desc ? -c : c;
  });
  const head = (key: Key, label: string) => (
    <th>
      <button type="button" class="link sort" data-sort={key} onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'compound' })}>
        {label} {sort.key === key ? (sort.desc ? '▼' : '▲') : ''}
      </button>
    </th>
  );
  const dates = data.data?.rows[0]?.days.map((d) => d.date) ?? [];
  // The district's alerts: a short poll (the live feed is per compound).
  const alerts = useLoad(() => call(client.api.alerts.$get({ query: {} })), []);
  const reloadAlerts = alerts.reload;
  useEffect(() => {
    const timer = setInterval(reloadAlerts, ALERT_POLL_MS);
    return () => clearInterval(timer);
  }, [reloadAlerts]);
  return (
    <section>
      <h1>{t('overview')}</h1>
      {alerts.data && alerts.data.alerts.length > 0 && <AlertsPanel alerts={alerts.data.alerts} tz={Intl.DateTimeFormat().resolvedOptions().timeZone} manage={false} showCompound />}
      <div class="form inline toolbar">
        <label class="field">
          <span>{t('ov.from')}</span>
          <DateField name="from" value={from} min={addDays(to, -30)} max={to} onChange={setFrom} required />
        </label>
        <label class="field">
          <span>{t('ov.to')}</span>
          <DateField name="to" value={to} min={from} max={addDays(from, 30)} onChange={setTo} required />
        </label>
      </div>
      <ErrorBox error={data.error} />
      {data.error ? null : !data.data ? (
        <Loading />
      ) : (
        <>
          <p class="muted">{t('ov.hint')}</p>
          <table class="table" data-testid="overview">
            <thead>
              <tr>
                {head('compound', t('compound'))}
                {head('passed', t('ov.passed'))}
                {head('turnedBack', t('dash.turnedBack'))}
                {head('overrides', t('dash.overrides'))}
                {head('visitors', t('dash.visitors'))}
                {head('rate', t('ov.rate'))}
                {head('missed', t('slot.missed'))}
                {head('tablets', t('ov.tablets'))}
                {head('conflicts', t('dash.conflicts'))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.compoundId}>
                  <td>
                    <Link href={`/compounds/${r.compoundId}/dashboard`}>{r.compound}</Link>
                  </td>
                  <td>{r.in + r.out}</td>
                  <td>{r.turnedBack}</td>
                  <td>{r.overrides}</td>
                  <td>{r.visitors}</td>
                  <td>{pct(r.disinfection.rate)}</td>
                  <td class={r.disinfection.missed ? 'bad' : ''}>{r.disinfection.missed}</td>
                  <td>
                    {r.tablets.online}/{r.tablets.total}
                  </td>
                  <td>{r.conflictsOpen}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="dash-grid">
            <section class="panel wide">
              <h2>{t('ov.compare')}</h2>
              <LineChart x={dates} series={data.data.rows.map((r) => ({ name: r.compound, values: r.days.map((d) => d.passed) }))} />
            </section>
            <section class="panel wide">
              <h2>{t('ov.compareRate')}</h2>
              <LineChart x={dates} percent series={data.data.rows.map((r) => ({ name: r.compound, values: r.days.map((d) => d.disinfectionRate) }))} />
            </section>
          </div>
        </>
      )}
    </section>
  );
}
