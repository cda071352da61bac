import { useI18n } from '../i18n';
import { TabletFrame } from './setup-screens';

/**
 * The tablet app opened on a plain http:// address (not localhost): the browser will give it neither the
 * camera nor the offline app, and a scan screen would silently show nothing. Say so, and how to fix it;
 * a volunteer with a scanner gun may still go on (online only).
 */
export function InsecureScreen(props: { onContinue: () => void }) {
  const { t } = useI18n();
  return (
    <TabletFrame subtitle={t('tablet.title')} title={t('insecure.title')} testId="insecure">
      <p class="t-hint">{t('insecure.why', { url: location.href })}</p>
      <ol class="t-steps">
        {t('insecure.fix')
          .split('|')
          .map((s) => (
            <li key={s}>{s}</li>
          ))}
      </ol>
      <button type="button" class="t-link" onClick={props.onContinue}>
        {t('insecure.continue')}
      </button>
    </TabletFrame>
  );
}
