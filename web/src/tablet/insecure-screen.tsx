import { useI18n } from '../i18n';

/**
 * The tablet app opened on a plain http:// address (not localhost): the browser will give it neither the
 * camera nor the offline app, and a scan screen would silently show nothing. Say so, and how to fix it;
 * a volunteer with a scanner gun may still go on (online only).
 */
export function InsecureScreen(props: { onContinue: () => void }) {
  const { t, lang, setLang } = useI18n();
  return (
    <main class="t-frame">
      <header class="t-head">
        <img src="/icon.svg" alt="" width={40} height={40} />
        <div class="t-head-title">
          <strong>{t('appName')}</strong>
          <span>{t('tablet.title')}</span>
        </div>
        <button type="button" class="t-lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {t('language')}
        </button>
      </header>
      <section class="t-card" data-testid="insecure">
        <h1>{t('insecure.title')}</h1>
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
      </section>
    </main>
  );
}
