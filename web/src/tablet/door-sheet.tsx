import { useEffect, useMemo, useState } from 'preact/hooks';
import { compareNatural } from '../../../server/core/natural';
import { currentRound, roundCovers, testedInRound } from '../../../server/core/rounds';
import type { RosterState } from '../../../server/core/roster';
import { useI18n } from '../i18n';
import { useTablet } from './context';
import { BuildingField, SheetFrame } from './sheet-frame';

/**
 * The door-to-door list on the tablet (上门核查), worked out from the roster alone, so it works offline:
 * the residents of a building not tested in the current round (nor exempt), by unit and room. Ticking one
 * off records "tested at home" through the outbox; they leave the list at once.
 */
export function doorList(roster: RosterState, buildingId: number, now: number, ticked: ReadonlySet<number>) {
  const tz = roster.compound.timezone;
  const round = currentRound(roster.rounds ?? [], buildingId, now, tz);
  if (!round) return { round: null, people: [] };
  const people = [...roster.residents.values()]
    .map((r) => ({ ...r, household: roster.households.get(r.householdId) }))
    .filter((r) => r.household?.buildingId === buildingId && roundCovers(round, buildingId))
    .filter((r) => !roster.exempt?.has(r.id) && !ticked.has(r.id) && !testedInRound(roster.tests.get(r.id)?.sampledAt, round, tz))
    .map((r) => ({ id: r.id, name: r.name, unit: r.household!.unit, room: r.household!.room }))
    .sort((a, b) => compareNatural(a.unit, b.unit) || compareNatural(a.room, b.room) || a.id - b.id);
  return { round, people };
}

export function DoorSheet(props: { onClose: () => void }) {
  const { t } = useI18n();
  const { c } = useTablet();
  const roster = c.roster.state;
  const [buildingId, setBuildingId] = useState<number | null>(roster?.buildings[0]?.id ?? null);
  // null until the ticks kept on the tablet are read: the list is not shown before (it would list them).
  const [ticked, setTicked] = useState<Set<number> | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  useEffect(() => {
    void c.homeTicks().then((ids) => setTicked(new Set(ids)));
  }, [c]);
  const list = useMemo(() => (roster && buildingId && ticked ? doorList(roster, buildingId, Date.now(), ticked) : null), [roster, buildingId, ticked]);
  return (
    <SheetFrame title={t('tablet.doors')} onClose={props.onClose}>
      <div class="t-form">
        <BuildingField buildings={roster?.buildings} value={buildingId} onChange={setBuildingId} />
      </div>
      {list && !list.round && <p class="t-hint">{t('tablet.doorsNoRound')}</p>}
      {list?.round && (
        <>
          <p class="t-hint" data-testid="doors-summary">
            {t('tablet.doorsSummary', { round: list.round.name, n: list.people.length })}
          </p>
          <ul class="t-doors" data-testid="doors">
            {list.people.map((p) => (
              <li key={p.id}>
                <span class="t-door-room">
                  {p.unit}-{p.room}
                </span>
                <span class="t-door-name">{p.name}</span>
                <button
                  type="button"
                  class="t-chip"
                  disabled={busy === p.id}
                  onClick={async () => {
                    setBusy(p.id);
                    try {
                      await c.tickOffAtHome(p.id);
                      setTicked(new Set([...(ticked ?? []), p.id]));
                    } finally {
                      setBusy(null);
                    }
                  }}
                >
                  {t('tablet.doorsTick')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </SheetFrame>
  );
}
