import { useEffect, useMemo, useState } from 'preact/hooks';
import { checklistFor, DISINFECTANTS, placeSlotState, type SlotState, slotsOfDay, slotToRecord, type TemplateTarget } from '../../../server/core/disinfection';
import { addDays, zonedDate } from '../../../server/core/time';
import { useI18n } from '../i18n';
import { ErrorBox, useAction } from '../ui/kit';
import { useTablet } from './context';
import { shrinkPhoto } from './photo';
import type { LocalRound, RoundTarget } from './types';

const STATE_TONE: Record<SlotState | 'none', string> = { done: 'ok', late: 'warn', missed: 'bad', skipped: 'muted', due: 'due', upcoming: 'muted', none: 'muted' };

/** Today's rounds at one place: its slots and their states, and the checklist for the one being done. */
export function RoundSheet(props: { target: RoundTarget; onDone: () => void }) {
  const { t } = useI18n();
  const { c } = useTablet();
  const roster = c.roster.state!;
  const tz = roster.compound.timezone;
  const [openedAt] = useState(() => Date.now());
  // Before the day's first slot, the round is for yesterday's last one (still due until then).
  const today = useMemo(() => {
    const date = zonedDate(openedAt, tz);
    return slotsOfDay(date, tz, roster.disinfection.schedules).some((s) => s.start <= openedAt) ? date : addDays(date, -1);
  }, [openedAt]);
  const place =
    props.target.kind === 'building'
      ? (() => {
          const b = roster.buildings.find((x) => x.id === props.target.id);
          return b && { name: b.name, template: 'building' as TemplateTarget, elevators: b.elevatorCount, since: b.createdAt ? Date.parse(b.createdAt) : 0 };
        })()
      : (() => {
          const p = roster.points.find((x) => x.id === props.target.id);
          return p && { name: p.name, template: `point:${p.kind}` as TemplateTarget, elevators: 0, since: p.createdAt ? Date.parse(p.createdAt) : 0 };
        })();
  const slots = useMemo(() => slotsOfDay(today, tz, roster.disinfection.schedules), [today]);
  const [rounds, setRounds] = useState<LocalRound[]>([]);
  useEffect(() => {
    c.roundsOf(today).then(setRounds);
  }, [today]);
  const mine = rounds.filter((r) => r.target.kind === props.target.kind && r.target.id === props.target.id);
  const states = slots.map((slot) => ({
    slot,
    state: placeSlotState(slot, mine.filter((r) => r.slotTime === slot.time).map((r) => ({ status: r.status, finishedAt: Date.parse(r.finishedAt) })), openedAt, place?.since ?? 0),
  }));
  // The slot to do: the one due now, else the latest that has begun. A slot that has not begun cannot
  // be chosen (the server would refuse the round); before the day's first slot there is nothing to do.
  const [slotTime, setSlotTime] = useState<string | null>(null);
  const chosen = slotTime ?? slotToRecord(states, openedAt)?.slot.time ?? null;
  const firstStart = states[0]?.slot.start;

  const items = useMemo(() => (place ? checklistFor(roster.disinfection.templates[place.template] ?? roster.disinfection.templates['point:other'], place.elevators) : []), [place?.template]);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [disinfectant, setDisinfectant] = useState<string>(DISINFECTANTS[0]);
  const [concentration, setConcentration] = useState('500 mg/L');
  const [note, setNote] = useState('');
  const [skip, setSkip] = useState<string | null>(null);
  const [photo, setPhoto] = useState<Blob | null>(null);
  const [photoUrl, setPhotoUrl] = useState<string | null>(null);

  // The disinfectant and its concentration, as last time.
  useEffect(() => {
    c.remembered<{ disinfectant: string; concentration: string }>('disinfectant').then((last) => {
      if (last) {
        setDisinfectant(last.disinfectant);
        setConcentration(last.concentration);
      }
    });
  }, []);

  const takePhoto = useAction(async (file: File) => {
    const small = await shrinkPhoto(file);
    setPhoto(small);
    setPhotoUrl(URL.createObjectURL(small));
  });

  const submit = useAction(async (status: 'done' | 'skipped') => {
    if (!chosen || !place) return;
    const checked = items.map((i) => ({ ...i, done: ticked.has(i.key) }));
    await c.finishRound({ target: props.target, slotDate: today, slotTime: chosen, status, items: checked, disinfectant, concentration, note, skipReason: skip, startedAt: openedAt }, photo);
    props.onDone();
  });

  if (!place) return <p class="error">{t('tablet.unknownPlace')}</p>;
  return (
    <div class="t-round" data-testid="round-sheet">
      <p class="t-round-place">
        <strong>{place.name}</strong> · {today} {props.target.via === 'manual' && <span class="t-warn">{t('tablet.pickedByHand')}</span>}
      </p>
      <div class="t-slots" role="radiogroup" aria-label={t('tablet.slot')}>
        {states.map(({ slot, state }) => (
          <button
            type="button"
            key={slot.time}
            role="radio"
            aria-checked={chosen === slot.time}
            disabled={slot.start > openedAt}
            class={`t-slot s-${STATE_TONE[state ?? 'none']} ${chosen === slot.time ? 'on' : ''}`}
            onClick={() => setSlotTime(slot.time)}
          >
            <b>{slot.time}</b>
            <small>{t(`slot.${state ?? 'none'}`)}</small>
          </button>
        ))}
      </div>
      {!chosen && firstStart !== undefined && <p class="t-warn" data-testid="no-slot-yet">{t('tablet.noSlotYet', { time: states[0]!.slot.time })}</p>}
      {skip === null ? (
        <>
          <div class="t-checklist">
            {items.map((i) => (
              <label key={i.key} class={`t-check ${ticked.has(i.key) ? 'on' : ''}`}>
                <input
                  type="checkbox"
                  name={`item-${i.key}`}
                  checked={ticked.has(i.key)}
                  onChange={() => {
                    const next = new Set(ticked);
                    if (next.has(i.key)) next.delete(i.key);
                    else next.add(i.key);
                    setTicked(next);
                  }}
                />
                {i.label}
              </label>
            ))}
          </div>
          <div class="t-form">
            <label class="t-label">
              {t('tablet.disinfectant')}
              <select class="t-input" name="disinfectant" value={disinfectant} onChange={(e) => setDisinfectant(e.currentTarget.value)}>
                {[...new Set([...DISINFECTANTS, disinfectant])].map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label class="t-label">
              {t('tablet.concentration')}
              <input class="t-input" name="concentration" value={concentration} onInput={(e) => setConcentration(e.currentTarget.value)} />
            </label>
            <label class="t-label">
              {t('tablet.note')}
              <input class="t-input" name="note" value={note} onInput={(e) => setNote(e.currentTarget.value)} maxLength={500} />
            </label>
            <div class="t-label">
              {t('tablet.photo')}
              <label class="t-big t-photo-button">
                {photo ? t('tablet.retakePhoto') : t('tablet.takePhoto')}
                <input type="file" name="photo" accept="image/*" capture="environment" hidden onChange={(e) => e.currentTarget.files?.[0] && takePhoto.run(e.currentTarget.files[0])} />
              </label>
            </div>
          </div>
          {photoUrl && <img class="t-photo" src={photoUrl} alt="" data-testid="photo-preview" />}
          <ErrorBox error={submit.error || takePhoto.error} />
          <div class="t-row">
            <button type="button" class="t-big" onClick={() => setSkip('')}>
              {t('tablet.skip')}
            </button>
            <button type="button" class="t-big t-primary" disabled={submit.busy || ticked.size === 0 || !chosen} onClick={() => submit.run('done')}>
              {t('tablet.roundDone', { n: ticked.size, total: items.length })}
            </button>
          </div>
        </>
      ) : (
        <>
          <div class="t-chips">
            {t('tablet.skipReasons')
              .split('|')
              .map((r) => (
                <button type="button" key={r} class={`t-chip ${skip === r ? 'on' : ''}`} onClick={() => setSkip(r)}>
                  {r}
                </button>
              ))}
          </div>
          <input class="t-input" name="skipReason" placeholder={t('tablet.otherReason')} value={skip} onInput={(e) => setSkip(e.currentTarget.value)} />
          <ErrorBox error={submit.error} />
          <div class="t-row">
            <button type="button" class="t-big" onClick={() => setSkip(null)}>
              {t('tablet.back')}
            </button>
            <button type="button" class="t-big t-primary" disabled={!skip?.trim() || submit.busy} onClick={() => submit.run('skipped')}>
              {t('tablet.recordSkip')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
