import { useEffect, useRef, useState } from 'preact/hooks';
import { zonedDate } from '../../../server/core/time';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { Badge, ErrorBox, Loading, useLoad } from '../ui/kit';
import { HourlyChart } from './charts';
import { type Alert, AlertsPanel } from './alerts';
import { useReasonLabel } from './format';
import type { Compound } from './types';
import { DateField } from '../ui/date-field';

const compound = client.api.compounds[':cid'];
/** A gate check as the feed shows it: the list's rows, and what the live feed sends (the same shape). */
export type LiveCheck = Data<(typeof compound)['gate-checks']['$get']>['checks'][number];

const REFRESH_MS = 60_000;
const FEED_SIZE = 30;

/** Minutes as "5 分钟前" / "3 小时前". */
export function useAgo() {
  const { t } = useI18n();
  return (minutes: number | null) => (minutes === null ? t('dash.never') : minutes < 120 ? t('dash.minutesAgo', { n: minutes }) : t('dash.hoursAgo', { n: Math.floor(minutes / 60) }));
}

/** A manager's compound today: figures, traffic by hour, denials, overrides, tablets, disinfection, and the live feed. */
export function DashboardTab(props: { compound: Compound; manage: boolean }) {
  const { t, lang, dateTime } = useI18n();
  const tz = props.compound.timezone;
  const cid = String(props.compound.id);
  // Today, unless the manager picked a day: a dashboard left open overnight moves on to the new day.
  const [today, setToday] = useState(zonedDate(Date.now(), tz));
  const [picked, setPicked] = useState<string | null>(null);
  const date = picked ?? today;
  const isToday = date === today;
  const dash = useLoad(() => call(compound.dashboard.$get({ param: { cid }, query: { date } })), [cid, date]);
  const reason = useReasonLabel();
  const ago = useAgo();

  // The live feed: the last checks, then each new one as the server receives it.
  const [feed, setFeed] = useState<LiveCheck[]>([]);
  // Positive alerts: loaded, then pushed by the live feed the moment a positive result is stored.
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const loadAlerts = () => call(compound.alerts.$get({ param: { cid } })).then((r) => setAlerts(r.alerts), () => {});
  const [live, setLive] = useState(false);
  const reload = useRef(dash.reload);
  reload.current = dash.reload;
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | null = null;
    setFeed([]);
    // The last checks, merged with any that arrived on the feed meanwhile (the feed's are newer).
    call(compound['gate-checks'].$get({ param: { cid }, query: { limit: FEED_SIZE } })).then(
      (r) => setFeed((f) => [...f, ...r.checks.filter((c) => !f.some((x) => x.id === c.id))].slice(0, FEED_SIZE)),
      () => {},
    );
    const source = new EventSource(compound.live.$path({ param: { cid } }));
    void loadAlerts();
    source.addEventListener('alert', (e) => {
      const alert = JSON.parse((e as MessageEvent<string>).data) as Alert;
      setAlerts((list) => [alert, ...list.filter((x) => x.id !== alert.id)]);
    });
    source.addEventListener('ready', () => setLive(true));
    source.addEventListener('ping', () => setLive(true));
    source.addEventListener('check', (e) => {
      const check = JSON.parse((e as MessageEvent<string>).data) as LiveCheck;
      setFeed((f) => [check, ...f.filter((x) => x.id !== check.id)].slice(0, FEED_SIZE));
      // The figures follow a moment later (a burst of synced checks reloads them once).
      pending ??= setTimeout(() => {
        pending = null;
        reload.current();
      }, 1500);
    });
    source.onerror = () => setLive(false);
    const timer = setInterval(() => {
      setToday(zonedDate(Date.now(), tz));
      reload.current();
    }, REFRESH_MS);
    return () => {
      source.close();
      clearInterval(timer);
      if (pending) clearTimeout(pending);
    };
  }, [cid, tz]);

  const d = dash.data;
  // Today's times as 08:26; older ones with their date.
  const shortTime = (iso: string) => {
    const full = dateTime(iso, tz);
    return full.startsWith(zonedDate(Date.now(), tz)) ? full.slice(11) : full.slice(5);
  };
  const fig = (label: string, value: string | number, tone = '') => (
    <div class={`figure ${tone}`}>
      <span>{label}</span>
      <b>{value}</b>
    </div>
  );
  return (
    <div class="dashboard">
      <div class="form inline toolbar">
        <label class="field">
          <span>{t('ex.date')}</span>
          <DateField name="date" value={date} max={today} onChange={(d) => setPicked(d !== today ? d : null)} required />
        </label>
        <a class="button" href={`/api/compounds/${cid}/reports/daily?date=${date}&lang=${lang}`} target="_blank" rel="noreferrer">
          {t('dash.dailyReport')}
        </a>
      </div>
      <ErrorBox error={dash.error} />
      {!d ? (
        <Loading />
      ) : (
        <>
          <div class="figures" data-testid="figures">
            {fig(t('dash.in'), d.summary.in)}
            {fig(t('dash.out'), d.summary.out)}
            {fig(t('dash.turnedBack'), d.summary.turnedBack, d.summary.turnedBack ? 'bad' : '')}
            {fig(t('dash.overrides'), d.summary.overrides, d.summary.overrides ? 'warn' : '')}
            {fig(t('dash.visitors'), d.summary.visitors)}
            {fig(t('dash.fevers'), d.summary.fevers, d.summary.fevers ? 'bad' : '')}
            {fig(t('dash.rounds'), `${(d.disinfection.counts.done ?? 0) + (d.disinfection.counts.late ?? 0)}/${d.disinfection.slots}`, d.disinfection.missed.length ? 'bad' : '')}
            <Link href={`/compounds/${props.compound.id}/conflicts`} class={`figure ${d.conflictsOpen ? 'warn' : ''}`}>
              <span>{t('dash.conflicts')}</span>
              <b>{d.conflictsOpen}</b>
            </Link>
          </div>
          {alerts.length > 0 && <AlertsPanel alerts={alerts} tz={tz} manage={props.manage} onChanged={() => void loadAlerts()} />}
          <div class="dash-grid">
            <section class="panel wide">
              <h2>{t('dash.byHour')}</h2>
              <HourlyChart hours={d.hourly} labels={{ in: t('dash.in'), out: t('dash.out'), turnedBack: t('dash.turnedBack') }} />
            </section>
            <section class="panel">
              <h2>{t('dash.denials')}</h2>
              <BarList items={Object.entries(d.summary.denialsByReason).map(([code, n]) => ({ label: reason(code), n }))} empty={t('dash.none')} />
            </section>
            <section class="panel">
              <h2>{t('dash.disinfection')}</h2>
              <p class="states">
                {(['done', 'late', 'missed', 'skipped', 'due', 'upcoming'] as const).map((s) => (
                  <span key={s} class={`state s-${s}`}>
                    {t(`slot.${s}`)} {d.disinfection.counts[s] ?? 0}
                  </span>
                ))}
              </p>
              {d.disinfection.missed.length > 0 && (
                <p class="missed">
                  <b>{t('dash.missedList')}</b>
                  {d.disinfection.missed.map((m) => `${m.name} ${m.time}`).join(t('sep.list'))}
                </p>
              )}
              <Link href={`/compounds/${props.compound.id}/disinfection`}>{t('disinfection')} →</Link>
            </section>
            <section class="panel">
              <h2>{t('dash.overrides')}</h2>
              {d.overrides.length === 0 ? (
                <p class="muted">{t('dash.none')}</p>
              ) : (
                <table class="table compact">
                  <tbody>
                    {d.overrides.map((o) => (
                      <tr key={o.id}>
                        <td class="nowrap">{dateTime(o.occurredAt, tz).slice(11)}</td>
                        <td>{o.gate}</td>
                        <td>{o.residentName ?? '—'}</td>
                        <td>
                          <span class="muted">{o.reasons.map((r) => reason(r.code)).join(t('sep.list'))}</span> → {o.overrideReason}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section class="panel span2">
              <h2>{t('dash.tablets')}</h2>
              {d.tablets.length === 0 ? (
                <p class="muted">{t('dash.noTablets')}</p>
              ) : (
                <table class="table compact" data-testid="tablets">
                  <thead>
                    <tr>
                      <th>{t('devices')}</th>
                      <th />
                      <th>{t('dash.pending')}</th>
                      <th>{t('dash.rosterAge')}</th>
                      <th>{t('dash.lastSeen')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.tablets.map((x) => (
                      <tr key={x.id}>
                        <td>{x.name}</td>
                        <td>{x.online ? <Badge tone="ok">{t('dash.online')}</Badge> : <Badge tone="muted">{t('dash.offline')}</Badge>}</td>
                        <td>{x.pending ?? '—'}</td>
                        <td>{ago(x.rosterAgeMinutes)}</td>
                        <td class="nowrap">{x.lastSeenAt ? shortTime(x.lastSeenAt) : t('dash.never')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section class="panel wide">
              <h2>
                {t('dash.live')} {isToday && (live ? <Badge tone="ok">{t('dash.liveOn')}</Badge> : <Badge tone="warn">{t('dash.liveOff')}</Badge>)}
              </h2>
              <LiveFeed checks={feed} tz={tz} />
            </section>
          </div>
        </>
      )}
    </div>
  );
}

export function LiveFeed(props: { checks: LiveCheck[]; tz: string }) {
  const { t, dateTime } = useI18n();
  const reason = useReasonLabel();
  if (!props.checks.length) return <p class="muted">{t('dash.noChecks')}</p>;
  return (
    <table class="table compact feed" data-testid="live-feed">
      <tbody>
        {props.checks.map((c) => (
          <tr key={c.id} data-id={c.id} class={c.passed ? '' : 'denied'}>
            <td class="nowrap">{dateTime(c.occurredAt, props.tz).slice(5)}</td>
            <td>{c.gate}</td>
            <td>{t(`dir.${c.direction}`)}</td>
            <td>
              {c.residentName ?? c.visitor?.name ?? '—'}
              {c.subject === 'visitor' && <span class="muted"> ({t('dash.visitor')})</span>}
            </td>
            <td class="muted">{[c.building, c.unit, c.room].filter(Boolean).join(' ')}</td>
            <td>
              <Badge tone={c.verdict === 'allow' ? 'ok' : c.verdict === 'deny' ? 'bad' : 'warn'}>{t(`verdict.${c.verdict}`)}</Badge>
              {c.overrideReason && <span class="muted"> → {c.overrideReason}</span>}
            </td>
            <td class="muted">{c.reasons.map((r) => reason(r.code)).join(t('sep.list'))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BarList(props: { items: { label: string; n: number }[]; empty: string }) {
  if (!props.items.length) return <p class="muted">{props.empty}</p>;
  const max = Math.max(...props.items.map((i) => i.n));
  return (
    <ul class="barlist">
      {[...props.items]
        .sort((a, b) => b.n - a.n)
        .map((i) => (
          <li key={i.label}>
            <span>{i.label}</span>
            <span class="bar" style={{ width: `${(i.n / max) * 100}%` }} />
            <b>{i.n}</b>
          </li>
        ))}
    </ul>
  );
}
