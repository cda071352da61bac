import { useEffect, useState } from 'preact/hooks';
import type { SlotSpec, SlotState } from '../../../server/core/disinfection';
import { isTimeOfDay } from '../../../server/core/time';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { ErrorBox, Loading, useAction, useLoad } from '../ui/kit';
import type { Compound } from './types';
import { DateField } from '../ui/date-field';


const disinfection = client.api.compounds[':cid'].disinfection;
type Place = Pick<Data<typeof disinfection.grid.$get>['rows'][number], 'kind' | 'id' | 'name'>;

const REFRESH_MS = 30_000;

/** 已跳过（消毒液用完）: a skip always carries its reason, so nobody reads it as a missed round. */
export function skippedWords(t: (k: string, v?: Record<string, string | number>) => string, reason: string | null | undefined) {
  return reason ? t('slot.skippedWhy', { reason }) : t('slot.skipped');
}

function today(tz: string) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** The disinfection grid of a compound: places × slots for a day, refreshing itself; a place's history. */
export function DisinfectionTab(props: { compound: Compound; manage: boolean }) {
  const { t, dateTime } = useI18n();
  const cid = String(props.compound.id);
  const base = `/api/compounds/${cid}`;
  const [date, setDate] = useState(today(props.compound.timezone));
  const [place, setPlace] = useState<Place | null>(null);
  const grid = useLoad(() => call(disinfection.grid.$get({ param: { cid }, query: { date } })), [cid, date]);
  // It refreshes by itself: a round done on a tablet shows up without a reload.
  useEffect(() => {
    const timer = setInterval(grid.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [grid.reload]);
  const tz = props.compound.timezone;
  const time = (iso: string) => dateTime(iso, tz).slice(11);
  const plural = (kind: string) => (kind === 'building' ? 'buildings' : 'points');

  return (
    <div class="disinfection">
      <div class="form inline">
        <label class="field">
          <span>{t('date')}</span>
          <DateField name="date" value={date} onChange={setDate} required />
        </label>
        <button type="button" onClick={grid.reload}>
          {t('refresh')}
        </button>
      </div>
      <ErrorBox error={grid.error} />
      {!grid.data ? (
        <Loading />
      ) : (
        <>
          <p class="legend">
            {(['done', 'late', 'skipped', 'missed', 'due', 'upcoming'] as SlotState[]).map((s) => (
              <span key={s} class={`cell s-${s}`}>
                {t(`slot.${s}`)} {grid.data!.counts[s]}
              </span>
            ))}
          </p>
          {grid.data.missed.length > 0 && (
            <div class="panel missed" data-testid="missed">
              <strong>{t('missedList', { n: grid.data.missed.length })}</strong>{' '}
              {grid.data.missed
                .slice(0, 40)
                .map((m) => `${m.name} ${m.time}`)
                .join(t('sep.list'))}
              {grid.data.missed.length > 40 && ' …'}
            </div>
          )}
          <div class="grid-wrap">
            <table class="table dgrid" data-testid="disinfection-grid">
              <thead>
                <tr>
                  <th>{t('place')}</th>
                  {grid.data.slots.map((s) => (
                    <th key={s.time}>{s.time}</th>
                  ))}
                  <th>{t('print')}</th>
                </tr>
              </thead>
              <tbody>
                {grid.data.rows.map((r) => (
                  <tr key={`${r.kind}${r.id}`}>
                    <td>
                      <button type="button" class="link" onClick={() => setPlace({ kind: r.kind, id: r.id, name: r.name })}>
                        {r.name}
                      </button>
                    </td>
                    {r.cells.map((c) => (
                      <td
                        key={c.time}
                        class={`cell s-${c.state ?? 'none'}`}
                        data-state={c.state ?? 'none'}
                        title={c.state ? c.rounds.map((x) => `${x.operator ?? ''} ${time(x.finishedAt)}${x.via === 'manual' ? ` (${t('pickedByHand')})` : ''}`).join('\n') : t('slot.noneHint')}
                      >
                        <span>{c.state === 'skipped' ? skippedWords(t, c.rounds.find((x) => x.status === 'skipped')?.skipReason) : t(`slot.${c.state ?? 'none'}`)}</span>
                        {c.rounds.length > 0 && (
                          <small>
                            {c.rounds[0]!.operator} {time(c.rounds[0]!.finishedAt)}
                            {c.rounds.length > 1 && ` +${c.rounds.length - 1}`}
                            {c.rounds.some((x) => x.hasPhoto) && ` · ${t('withPhoto')}`}
                          </small>
                        )}
                      </td>
                    ))}
                    <td class="nowrap">
                      <a href={`${base}/${plural(r.kind)}/${r.id}/placard`} target="_blank" rel="noreferrer">
                        {t('placard')}
                      </a>{' '}
                      <a href={`${base}/${plural(r.kind)}/${r.id}/disinfection-sheet?date=${date}`} target="_blank" rel="noreferrer">
                        {t('sheet')}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {place && <PlaceHistory cid={cid} place={place} tz={tz} onClose={() => setPlace(null)} />}
      {props.manage && <ScheduleEditor cid={cid} />}
    </div>
  );
}

function PlaceHistory(props: { cid: string; place: Place; tz: string; onClose: () => void }) {
  const { t, dateTime } = useI18n();
  const list = useLoad(() => call(disinfection.records.$get({ param: { cid: props.cid }, query: { targetKind: props.place.kind, targetId: props.place.id, limit: 60 } })),
    [props.place.id, props.place.kind],
  );
  return (
    <div class="panel" data-testid="place-history">
      <h2>
        {props.place.name} · {t('history')}{' '}
        <button type="button" class="small" onClick={props.onClose}>
          {t('close')}
        </button>
      </h2>
      <ErrorBox error={list.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <div class="rounds">
          {list.data.records.map((r) => (
            <div class="round" key={r.id}>
              <div>
                <b>
                  {r.slotDate} {r.slotTime}
                </b>{' '}
                · {r.status === 'skipped' ? skippedWords(t, r.skipReason) : r.items.filter((i) => i.done).map((i) => i.label).join(t('sep.list'))}
              </div>
              <div class="muted">
                {r.operator} · {dateTime(r.finishedAt, props.tz)} · {[r.disinfectant, r.concentration].filter(Boolean).join(' ')} {r.note && `· ${r.note}`}{' '}
                {r.via === 'manual' && `· ${t('pickedByHand')}`}
              </div>
              {r.hasPhoto && <img src={`/api/compounds/${props.cid}/disinfection/records/${r.id}/photo`} alt="" loading="lazy" />}
            </div>
          ))}
          {list.data.records.length === 0 && <p class="muted">{t('none')}</p>}
        </div>
      )}
    </div>
  );
}

function ScheduleEditor(props: { cid: string }) {
  const { t } = useI18n();
  const current = useLoad(() => call(disinfection.schedule.$get({ param: { cid: props.cid } })), [props.cid]);
  const [slots, setSlots] = useState<SlotSpec[] | null>(null);
  const save = useAction(async () => {
    if (!slots) return;
    await call(disinfection.schedule.$put({ param: { cid: props.cid }, json: { slots } }));
    setSlots(null);
    current.reload();
  });
  if (!current.data?.current) return null;
  const edit = slots ?? current.data.current.slots;
  return (
    <div class="panel">
      <h2>
        {t('schedule')} <small class="muted">v{current.data.current.version}</small>
      </h2>
      <div class="form inline">
        {edit.map((s, i) => (
          <label class="field" key={i}>
            <span>
              {t('slotN', { n: i + 1 })} · {t('onTimeMinutes')}
            </span>
            <div class="row-actions">
              {/* 24-hour HH:MM text: <input type=time> shows 06:00 AM in a Chinese page, as date inputs did. */}
              <input
                type="text"
                name={`slotTime${i}`}
                class="time-text"
                inputMode="numeric"
                placeholder="HH:MM"
                maxLength={5}
                value={s.time}
                aria-invalid={isTimeOfDay(s.time) ? undefined : true}
                onInput={(e) => setSlots(edit.map((x, j) => (j === i ? { ...x, time: e.currentTarget.value.trim() } : x)))}
              />
              <input type="number" min={10} value={s.onTimeMinutes} onInput={(e) => setSlots(edit.map((x, j) => (j === i ? { ...x, onTimeMinutes: Number(e.currentTarget.value) } : x)))} />
            </div>
          </label>
        ))}
      </div>
      <p class="muted">{t('scheduleHint')}</p>
      <ErrorBox error={save.error} />
      {slots && (
        <button type="button" class="primary" onClick={save.run} disabled={save.busy}>
          {t('save')}
        </button>
      )}
    </div>
  );
}
