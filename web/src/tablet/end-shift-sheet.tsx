import { useState } from 'preact/hooks';
import { formatLocal } from '../../../server/core/time';
import { useI18n } from '../i18n';
import { ErrorBox, useAction } from '../ui/kit';
import { useTablet } from './context';
import { SheetFrame } from './sheet-frame';

/** The end of a shift: its counts, the handover note, and signing out or not. */
export function EndShiftSheet(props: { onClose: () => void }) {
  const { t } = useI18n();
  const { c, s } = useTablet();
  const [note, setNote] = useState('');
  const end = useAction(async (signOut: boolean) => {
    await c.endShift(note.trim());
    if (signOut) await c.signOut();
  });
  const shift = s.shift!;
  return (
    <SheetFrame title={t('tablet.endShift')} onClose={props.onClose}>
      <p class="t-hint">
        {formatLocal(shift.startedAt, s.device!.compound.timezone)} · {t('tablet.countIn', { n: shift.counts.in })} · {t('tablet.countOut', { n: shift.counts.out })} ·{' '}
        {t('tablet.countDenied', { n: shift.counts.denied })}
      </p>
      <label class="t-label">
        {t('tablet.handover')}
        <textarea class="t-input" name="handover" rows={4} placeholder={t('tablet.handoverHint')} value={note} onInput={(e) => setNote(e.currentTarget.value)} maxLength={2000} />
      </label>
      <ErrorBox error={end.error} />
      <div class="t-row">
        <button type="button" class="t-big" disabled={end.busy} onClick={() => end.run(false)}>
          {t('tablet.endShift')}
        </button>
        <button type="button" class="t-big t-primary" disabled={end.busy} onClick={() => end.run(true)}>
          {t('tablet.endAndSignOut')}
        </button>
      </div>
    </SheetFrame>
  );
}
