import { useState } from 'preact/hooks';
import { addDays, zonedDate, zonedToUtc } from '../../../server/core/time';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { Badge, ErrorBox, Loading, useLoad } from '../ui/kit';
import { useReasonLabel } from './format';
import type { Compound } from './types';
import { DateField } from '../ui/date-field';

const compound = client.api.compounds[':cid'];

/** Shift logs of a compound: a day's shifts by gate, and one shift's whole log. */
export function ShiftsTab(props: { compound: Compound; manage: boolean; shiftId?: string | undefined }) {
  return props.shiftId ? <ShiftPage compound={props.compound} shiftId={props.shiftId} /> : <ShiftList compound={props.compound} />;
}

function ShiftList(props: { compound: Compound }) {
  const { t, dateTime } = useI18n();
  const tz = props.compound.timezone;
  const cid = String(props.compound.id);
  const [date, setDate] = useState(zonedDate(Date.now(), tz));
  const [gateId, setGateId] = useState('');
  const gates = useLoad(() => call(compound.gates.$get({ param: { cid } })), [cid]);
  const list = useLoad(
    () =>
      call(
        compound.shifts.$get({
          param: { cid },
          query: { from: new Date(zonedToUtc(date, tz)).toISOString(), to: new Date(zonedToUtc(addDays(date, 1), tz)).toISOString(), gateId: gateId || undefined },
        }),
      ),
    [cid, date, gateId],
  );
  const time = (iso: string | null) => (iso ? dateTime(iso, tz).slice(11) : '');
  return (
    <div>
      <div class="form inline toolbar">
        <label class="field">
          <span>{t('ex.date')}</span>
          <DateField name="date" value={date} onChange={setDate} required />
        </label>
        <label class="field">
          <span>{t('shift.gate')}</span>
          <select name="gateId" value={gateId} onChange={(e) => setGateId(e.currentTarget.value)}>
            <option value="">{t('shift.allGates')}</option>
            {gates.data?.items.map((g) => (
              <option key={g.id} value={String(g.id)}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={list.error} />
      {!list.data ? (
        <Loading />
      ) : list.data.shifts.length === 0 ? (
        <p class="muted">{t('shift.none')}</p>
      ) : (
        <table class="table" data-testid="shift-list">
          <thead>
            <tr>
              <th>{t('shift.time')}</th>
              <th>{t('shift.gate')}</th>
              <th>{t('shift.volunteer')}</th>
              <th>{t('dash.in')}</th>
              <th>{t('dash.out')}</th>
              <th>{t('dash.turnedBack')}</th>
              <th>{t('shift.note')}</th>
            </tr>
          </thead>
          <tbody>
            {[...list.data.shifts].reverse().map((s) => (
              <tr key={s.id}>
                <td class="nowrap">
                  <Link href={`/compounds/${props.compound.id}/shifts/${s.id}`}>
                    {time(s.startedAt)}–{s.endedAt ? time(s.endedAt) : ''}
                  </Link>{' '}
                  {!s.endedAt && <Badge tone="ok">{t('shift.open')}</Badge>}
                  {s.autoClosedAt && <Badge tone="warn">{t('shift.autoClosed')}</Badge>}
                </td>
                <td>{s.gate}</td>
                <td>{s.volunteer}</td>
                <td>{s.counts.in}</td>
                <td>{s.counts.out}</td>
                <td>{s.counts.turnedBack}</td>
                <td>{s.handoverNote}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ShiftPage(props: { compound: Compound; shiftId: string }) {
  const { t, dateTime } = useI18n();
  const tz = props.compound.timezone;
  const reason = useReasonLabel();
  const log = useLoad(() => call(compound.shifts[':shiftId'].$get({ param: { cid: String(props.compound.id), shiftId: props.shiftId } })), [props.compound.id, props.shiftId]);
  if (log.error) return <ErrorBox error={log.error} />;
  if (!log.data) return <Loading />;
  const { shift, summary: s } = log.data;
  const time = (iso: string) => dateTime(iso, tz).slice(11);
  return (
    <div class="shift-log" data-testid="shift-log">
      <p>
        <Link href={`/compounds/${props.compound.id}/shifts`}>← {t('shift.back')}</Link>
      </p>
      <h2>
        {shift.gate} · {shift.volunteer} · {dateTime(shift.startedAt, tz)}–{shift.endedAt ? time(shift.endedAt) : t('shift.open')}
      </h2>
      {shift.autoClosedAt && (
        <p data-testid="shift-auto-closed">
          <Badge tone="warn">{t('shift.autoClosed')}</Badge> {t('shift.autoClosedWhy')}
        </p>
      )}
      <p class="muted">
        {t('shift.device')}: {shift.device ?? '—'}
      </p>
      <div class="figures">
        {[
          [t('dash.in'), s.in],
          [t('dash.out'), s.out],
          [t('dash.turnedBack'), s.turnedBack],
          [t('verdict.deny'), s.deny],
          [t('verdict.review'), s.review],
          [t('dash.overrides'), s.overrides],
          [t('dash.visitors'), s.visitors],
          [t('dash.fevers'), s.fevers],
        ].map(([label, n]) => (
          <div class="figure" key={label}>
            <span>{label}</span>
            <b>{n}</b>
          </div>
        ))}
      </div>
      <section class="panel">
        <h3>{t('dash.denials')}</h3>
        {Object.keys(s.denialsByReason).length === 0 ? (
          <p class="muted">{t('dash.none')}</p>
        ) : (
          <ul>
            {Object.entries(s.denialsByReason).map(([code, n]) => (
              <li key={code}>
                {reason(code)}
                {t('sep.colon')}
                {n}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="panel">
        <h3>{t('shift.overrideList')}</h3>
        {log.data.purgedOverrides.length > 0 && (
          // The checks themselves were deleted by retention; their reasons were kept (server/lifecycle).
          <p class="muted" data-testid="shift-purged-overrides">
            {t('shift.purgedOverrides')}
            {log.data.purgedOverrides.map((o) => `${o.reason} × ${o.count}`).join(t('sep.list'))}
          </p>
        )}
        {log.data.overrides.length === 0 ? (
          log.data.purgedOverrides.length === 0 && <p class="muted">{t('dash.none')}</p>
        ) : (
          <table class="table compact">
            <tbody>
              {log.data.overrides.map((o) => (
                <tr key={o.id}>
                  <td>{time(o.occurredAt)}</td>
                  <td>{t(`dir.${o.direction}`)}</td>
                  <td>{o.residentName ?? o.visitor?.name ?? '—'}</td>
                  <td class="muted">{o.reasons.map((r) => reason(r.code)).join(t('sep.list'))}</td>
                  <td>{o.overrideReason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {log.data.fevers.length > 0 && (
        <section class="panel" data-testid="shift-fevers">
          <h3>{t('shift.feverList')}</h3>
          <table class="table compact">
            <tbody>
              {log.data.fevers.map((f) => (
                <tr key={f.id}>
                  <td>{time(f.occurredAt)}</td>
                  <td>{t(`dir.${f.direction}`)}</td>
                  <td>{f.name ?? '—'}</td>
                  <td class="bad">{f.temperatureC.toFixed(1)} °C</td>
                  <td class="muted">{f.passed ? t('dash.overrides') : t('dash.turnedBack')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section class="panel">
        <h3>{t('shift.visitorList')}</h3>
        {log.data.visitors.length === 0 ? (
          <p class="muted">{t('dash.none')}</p>
        ) : (
          <table class="table compact">
            <tbody>
              {log.data.visitors.map((v) => (
                <tr key={v.id}>
                  <td>{time(v.occurredAt)}</td>
                  <td>{t(`dir.${v.direction}`)}</td>
                  <td>{v.name}</td>
                  <td>{v.phone}</td>
                  <td>{v.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="panel">
        <h3>{t('shift.note')}</h3>
        <p>{shift.handoverNote || <span class="muted">—</span>}</p>
      </section>
      <section class="panel">
        <h3>{t('shift.disinfection')}</h3>
        {log.data.disinfection.length === 0 ? (
          <p class="muted">{t('dash.none')}</p>
        ) : (
          <table class="table compact">
            <tbody>
              {log.data.disinfection.map((r) => (
                <tr key={r.id}>
                  <td>{time(r.finishedAt)}</td>
                  <td>{r.place}</td>
                  <td>{r.slotTime}</td>
                  <td>{r.status === 'skipped' ? `${t('slot.skipped')}${t('sep.colon')}${r.skipReason ?? ''}` : t('slot.done')}</td>
                  <td>{r.operator}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
