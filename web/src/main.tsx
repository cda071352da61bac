import { type ComponentType, render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type I18n, I18nContext, type Lang, saveLang, savedLang, translate } from './i18n';
import { usePath } from './router';
import './styles.css';

function formatDateTime(iso: string | null | undefined, tz = 'Asia/Shanghai'): string {
  if (!iso) return '—';
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return f.format(new Date(iso));
}

// The gate tablet and the office are separate bundles: the tablet loads only what the gate needs.
const loadTablet = () => import('./tablet/app').then((m) => m.TabletApp as ComponentType);
const loadOffice = () => import('./office/app').then((m) => m.OfficeApp as ComponentType<{ path: string }>);

function App() {
  const [lang, setLangState] = useState<Lang>(savedLang());
  const path = usePath();
  const tablet = path === '/tablet' || path.startsWith('/tablet/');
  const [Part, setPart] = useState<{ tablet: boolean; C: ComponentType<{ path: string }> } | null>(null);

  useEffect(() => {
    if (Part && Part.tablet === tablet) return;
    (tablet ? loadTablet() : loadOffice()).then((C) => setPart({ tablet, C: C as ComponentType<{ path: string }> }));
  }, [tablet]);

  const i18n = useMemo<I18n>(
    () => ({
      lang,
      t: (key, vars) => translate(lang, key, vars),
      setLang: (l) => {
        saveLang(l);
        setLangState(l);
      },
      dateTime: formatDateTime,
    }),
    [lang],
  );
  useEffect(() => saveLang(lang), [lang]);

  return <I18nContext.Provider value={i18n}>{Part && Part.tablet === tablet ? <Part.C path={path} /> : null}</I18nContext.Provider>;
}

render(<App />, document.getElementById('app')!);
