import { useI18n } from '../../i18n';
import { Badge } from '../../ui/kit';
import type { ResidentRow } from './residents-data';

// A resident's standing at a glance: home quarantine, pass, latest test.

export function QuarantineBadge(props: { until: string | null; today: string }) {
  const { t } = useI18n();
  if (!props.until || props.until < props.today) return <span class="muted">—</span>;
  return <Badge tone="bad">{t('roster.quarantinedUntil', { date: props.until.slice(5) })}</Badge>;
}

export function PassBadge(props: { r: ResidentRow; tz: string }) {
  const { t, dateTime } = useI18n();
  if (!props.r.passId) return <Badge tone="warn">{t('roster.noPass')}</Badge>;
  return (
    <span title={`${t('roster.issuedAt')} ${dateTime(props.r.passIssuedAt, props.tz)}`}>
      <Badge tone="ok">{t('roster.passActive')}</Badge> <small class="muted">No. {props.r.passId}</small>
    </span>
  );
}

export function TestBadge(props: { r: ResidentRow; tz: string }) {
  const { t, dateTime } = useI18n();
  const { testResult, testSampledAt } = props.r;
  if (!testResult) return <span class="muted">{t('roster.noTest')}</span>;
  const tone = testResult === 'negative' ? 'ok' : testResult === 'positive' ? 'bad' : 'warn';
  return (
    <span class="nowrap">
      <Badge tone={tone}>{t(`roster.test.${testResult}`)}</Badge> <small class="muted">{dateTime(testSampledAt, props.tz).slice(5)}</small>
    </span>
  );
}
