import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { ErrorBox, useAction } from '../ui/kit';
import { SheetFrame } from './sheet-frame';

/** Let a person through against the verdict: a reason picked from the usual ones, or typed. */
export function OverrideSheet(props: { onClose: () => void; onConfirm: (reason: string) => Promise<void> }) {
  const { t } = useI18n();
  const [other, setOther] = useState('');
  const confirm = useAction(props.onConfirm);
  return (
    <SheetFrame title={t('tablet.overrideTitle')} onClose={props.onClose}>
      <div class="t-chips">
        {t('tablet.overrideReasons')
          .split('|')
          .map((r) => (
            <button type="button" key={r} class="t-chip" disabled={confirm.busy} onClick={() => confirm.run(r)}>
              {r}
            </button>
          ))}
      </div>
      <form
        class="t-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (other.trim()) void confirm.run(other.trim());
        }}
      >
        <input class="t-input" name="overrideReason" placeholder={t('tablet.otherReason')} value={other} onInput={(e) => setOther(e.currentTarget.value)} />
        <button type="submit" class="t-big t-primary" disabled={!other.trim() || confirm.busy}>
          {t('tablet.confirm')}
        </button>
      </form>
      <ErrorBox error={confirm.error} />
    </SheetFrame>
  );
}
