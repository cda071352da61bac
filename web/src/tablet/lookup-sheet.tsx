import { useMemo, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { useTablet } from './context';
import { BuildingField, SheetFrame } from './sheet-frame';

/** No code: find the household by building and room, then the person (names are masked). */
export function LookupSheet(props: { onClose: () => void; onPicked: (residentId: number) => void }) {
  const { t } = useI18n();
  const { c } = useTablet();
  const roster = c.roster.state;
  const [buildingId, setBuildingId] = useState<number | null>(roster?.buildings[0]?.id ?? null);
  const [room, setRoom] = useState('');
  const [name, setName] = useState('');
  const people = useMemo(() => {
    if (!roster || !buildingId || !room.trim()) return null;
    const households = [...roster.households.values()].filter((h) => h.buildingId === buildingId && h.room === room.trim());
    const ids = new Set(households.map((h) => h.id));
    return [...roster.residents.values()]
      .filter((r) => ids.has(r.householdId) && (!name.trim() || r.name.startsWith(name.trim().slice(0, 1))))
      .map((r) => ({ ...r, unit: roster.households.get(r.householdId)!.unit }));
  }, [roster, buildingId, room, name]);
  return (
    <SheetFrame title={t('tablet.noCode')} onClose={props.onClose}>
      <div class="t-form">
        <BuildingField buildings={roster?.buildings} value={buildingId} onChange={setBuildingId} />
        <label class="t-label">
          {t('tablet.room')}
          <input class="t-input" name="room" inputMode="numeric" value={room} onInput={(e) => setRoom(e.currentTarget.value)} />
        </label>
        <label class="t-label">
          {t('tablet.name')}
          <input class="t-input" name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
      </div>
      {people && people.length === 0 && <p class="error">{t('tablet.noMatch')}</p>}
      {people && people.length > 0 && (
        <>
          <p class="t-hint">{t('tablet.pickPerson')}</p>
          <div class="t-chips">
            {people.map((p) => (
              <button type="button" key={p.id} class="t-chip t-person" onClick={() => props.onPicked(p.id)}>
                {p.name} <small>{p.unit}-{room}</small>
              </button>
            ))}
          </div>
        </>
      )}
    </SheetFrame>
  );
}
