import { REASON_LABELS } from '../../../server/core/i18n';
import type { ReasonCode } from '../../../server/core/reasons';
import { useI18n } from '../i18n';

// Words and dates as the office pages show them.

/** A reason code's short label, from the words the tablet and reports share. */
export function useReasonLabel() {
  const { lang } = useI18n();
  return (code: string) => REASON_LABELS[code as ReasonCode]?.[lang === 'zh' ? 0 : 1] ?? code;
}

/** Today's date (YYYY-MM-DD) in the compound's zone, through the same formatter as every time shown. */
export function useToday(tz: string): string {
  const { dateTime } = useI18n();
  return dateTime(new Date().toISOString(), tz).slice(0, 10);
}
