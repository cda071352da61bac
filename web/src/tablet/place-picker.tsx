import { useI18n } from '../i18n';
import { useTablet } from './context';
import type { RoundTarget } from './types';

/** Pick a building or point by hand (when its placard is torn or missing): marked as picked, not scanned. */
export function PlacePicker(props: { onPick: (t: RoundTarget) => void }) {
  const { t } = useI18n();
  const { c } = useTablet();
  const roster = c.roster.state;
  return (
    <div>
      <p class="t-hint">{t('tablet.manualPickHint')}</p>
      <div class="t-chips">
        {roster?.points.map((p) => (
          <button type="button" key={`p${p.id}`} class="t-chip" onClick={() => props.onPick({ kind: 'point', id: p.id, via: 'manual' })}>
            {p.name}
          </button>
        ))}
        {roster?.buildings.map((b) => (
          <button type="button" key={`b${b.id}`} class="t-chip" onClick={() => props.onPick({ kind: 'building', id: b.id, via: 'manual' })}>
            {b.name}
          </button>
        ))}
      </div>
    </div>
  );
}
