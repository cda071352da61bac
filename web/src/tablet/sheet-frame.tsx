import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n';

/** A sheet over the scan screen, with its title and a way back. */
export function SheetFrame(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <div class="t-sheet-back" onClick={props.onClose}>
      <div class="t-sheet" onClick={(e) => e.stopPropagation()} role="dialog" aria-label={props.title}>
        <header>
          <h2>{props.title}</h2>
          <button type="button" class="t-tool" onClick={props.onClose}>
            {t('tablet.back')}
          </button>
        </header>
        {props.children}
      </div>
    </div>
  );
}

/** A sheet's building picker (the roster's buildings): the look-up and the door-to-door list. */
export function BuildingField(props: { buildings: readonly { id: number; name: string }[] | undefined; value: number | null; onChange: (id: number) => void }) {
  const { t } = useI18n();
  return (
    <label class="t-label">
      {t('tablet.building')}
      <select class="t-input" name="building" value={props.value ?? ''} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {props.buildings?.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </select>
    </label>
  );
}
