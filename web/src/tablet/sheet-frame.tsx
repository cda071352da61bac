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
