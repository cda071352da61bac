import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { phoneCodeMessage, phoneRequestMessage, stepAt } from '../../../server/core/phone-code';
import type { ResidentView } from '../../../server/core/resident-view';
import { zonedDate, zonedTime } from '../../../server/core/time';
import { QrCode } from '../ui/qr';
import { type Activated, forgetActivated, loadActivated, loadView, makeKey, saveActivated, saveView, signText } from './keys';
import { type PhoneLang, phoneText, savedPhoneLang, savePhoneLang } from './text';
import './phone.css';

/**
 * The resident's phone page (住户通行码), a small entry of its own: activate this phone for a pass (the
 * link on the card), then show the rotating code (made here, offline, every step) and the resident page
 * (from the server when online, the last copy with its age when not).
 */
type Phase = { kind: 'loading' } | { kind: 'activate'; token: string } | { kind: 'pass'; pass: Activated } | { kind: 'none' };

async function api<T>(path: string, body: unknown): Promise<T> {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json().catch(() => null);
  if (!r.ok) throw Object.assign(new Error(json?.error?.message ?? `HTTP ${r.status}`), { code: json?.error?.code, params: json?.error?.params, status: r.status });
  return json as T;
}

function App() {
  const [lang, setLang] = useState<PhoneLang>(savedPhoneLang());
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const t = (key: Parameters<typeof phoneText>[1], vars?: Record<string, string | number>) => phoneText(lang, key, vars);

  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('a');
    if (token) {
      setPhase({ kind: 'activate', token });
      return;
    }
    loadActivated().then((pass) => setPhase(pass ? { kind: 'pass', pass } : { kind: 'none' }));
  }, []);

  const switchLang = () => {
    const next = lang === 'zh' ? 'en' : 'zh';
    savePhoneLang(next);
    setLang(next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  };

  return (
    <main class="p-app">
      <header class="p-head">
        <span>{t('title')}</span>
        <button type="button" class="p-lang" onClick={switchLang}>
          {lang === 'zh' ? 'English' : '中文'}
        </button>
      </header>
      {phase.kind === 'loading' && <p class="p-muted">…</p>}
      {phase.kind === 'none' && <p class="p-card">{t('none')}</p>}
      {phase.kind === 'activate' && <Activate token={phase.token} t={t} onDone={(pass) => setPhase({ kind: 'pass', pass })} />}
      {phase.kind === 'pass' && <PassView pass={phase.pass} t={t} lang={lang} onGone={() => setPhase({ kind: 'none' })} />}
    </main>
  );
}

type T = (key: Parameters<typeof phoneText>[1], vars?: Record<string, string | number>) => string;

function Activate(props: { token: string; t: T; onDone: (p: Activated) => void }) {
  const { t } = props;
  const [info, setInfo] = useState<{ compound: string; building: string; unit: string; room: string; maskedName: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<typeof info>('/api/phone/activation', { token: props.token }).then(setInfo, (e) => setError(e.message));
  }, [props.token]);

  const activate = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const key = await makeKey();
      const r = await api<{ passId: number; compoundId: number; compound: string; maskedName: string; stepSeconds: number }>('/api/phone/activate', { token: props.token, publicKey: key.publicKey });
      const pass: Activated = { ...r, key, activatedAt: Date.now() };
      await saveActivated(pass);
      // The link is used up: it leaves the address bar (and a bookmark of it) for good.
      history.replaceState(null, '', location.pathname);
      props.onDone(pass);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  if (error) return <p class="p-card p-error">{error}</p>;
  if (!info) return <p class="p-muted">…</p>;
  return (
    <section class="p-card">
      <h1>{t('activateTitle')}</h1>
      <dl class="p-facts">
        <dt>{t('compound')}</dt>
        <dd>{info.compound}</dd>
        <dt>{t('address')}</dt>
        <dd>{t('room', { building: info.building, unit: info.unit, room: info.room })}</dd>
        <dt>{t('name')}</dt>
        <dd>{info.maskedName}</dd>
      </dl>
      <p class="p-muted">{t('activateNote')}</p>
      <button type="button" class="p-big" disabled={busy} onClick={activate}>
        {t('activateButton')}
      </button>
    </section>
  );
}

/** The rotating code, made from this phone's key for the step the phone's clock is in. */
function useRotatingCode(pass: Activated) {
  const [now, setNow] = useState(Date.now());
  const [code, setCode] = useState<{ step: number; text: string } | null>(null);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  const step = stepAt(now, pass.stepSeconds);
  useEffect(() => {
    let live = true;
    const message = phoneCodeMessage({ passId: pass.passId, compoundId: pass.compoundId, stepSeconds: pass.stepSeconds, step });
    signText(pass.key, message).then((sig) => live && setCode({ step, text: `${message}.${sig}` }));
    return () => {
      live = false;
    };
  }, [step, pass]);
  const left = pass.stepSeconds - (Math.floor(now / 1000) % pass.stepSeconds);
  return { code: code?.step === step ? code.text : null, left, now };
}

function PassView(props: { pass: Activated; t: T; lang: PhoneLang; onGone: () => void }) {
  const { pass, t } = props;
  const { code, left, now } = useRotatingCode(pass);
  const [view, setView] = useState<{ view: ResidentView; receivedAt: number } | null>(null);
  const [offline, setOffline] = useState(false);
  const [revoked, setRevoked] = useState<string | null>(null);

  useEffect(() => {
    let stop = false;
    const refresh = async () => {
      const at = Math.floor(Date.now()); // a whole millisecond (a page's clock may run in fractions)
      try {
        const signature = await signText(pass.key, phoneRequestMessage({ passId: pass.passId, at }));
        const v = await api<ResidentView>('/api/phone/me', { passId: pass.passId, at, signature });
        if (stop) return;
        const copy = { view: v, receivedAt: Date.now() };
        await saveView(copy);
        setView(copy);
        setOffline(false);
        if (v.phonePass.stepSeconds !== pass.stepSeconds) await saveActivated({ ...pass, stepSeconds: v.phonePass.stepSeconds });
      } catch (e) {
        if (stop) return;
        const err = e as Error & { code?: string; status?: number };
        if (err.code === 'phone_not_bound') {
          // Unbound by the office, or activated on another phone: this phone's pass is over.
          await forgetActivated();
          setRevoked(err.message);
          return;
        }
        setOffline(true);
        setView((cur) => cur);
      }
    };
    loadView().then((v) => !stop && v && setView((cur) => cur ?? v));
    refresh();
    const every = setInterval(refresh, 60_000);
    addEventListener('online', refresh);
    return () => {
      stop = true;
      clearInterval(every);
      removeEventListener('online', refresh);
    };
  }, [pass]);

  if (revoked) {
    return (
      <section class="p-card p-error">
        <p>{revoked}</p>
        <button type="button" class="p-big" onClick={props.onGone}>
          {t('ok')}
        </button>
      </section>
    );
  }
  return (
    <>
      <section class="p-card p-pass">
        <div class="p-pass-who">
          <strong>{pass.maskedName}</strong> · {pass.compound}
        </div>
        <div class="p-qr" data-code={code ?? ''}>
          {code ? <QrCode text={code} size={260} label={t('qrLabel')} /> : <div class="p-qr-wait">…</div>}
        </div>
        <div class="p-pass-live">{t('refreshIn', { s: left })}</div>
        <p class="p-muted">{t('passNote')}</p>
      </section>
      {view ? <Status copy={view} offline={offline} now={now} t={t} /> : <p class="p-muted">{offline ? t('noCopy') : '…'}</p>}
    </>
  );
}

function Status(props: { copy: { view: ResidentView; receivedAt: number }; offline: boolean; now: number; t: T }) {
  const { view: v, receivedAt } = props.copy;
  const { t } = props;
  const tz = v.compound.timezone;
  const day = (ms: number) => `${zonedDate(ms, tz).slice(5)} ${zonedTime(ms, tz)}`;
  const ageMin = Math.max(0, Math.floor((props.now - receivedAt) / 60_000));
  return (
    <section class="p-card p-status">
      {props.offline && <div class="p-offline">{t('offline', { age: ageMin < 1 ? t('justNow') : t('minutesAgo', { m: ageMin }) })}</div>}
      <h2>{t('statusTitle')}</h2>
      <div class={`p-row ${v.test?.valid ? 'ok' : 'bad'}`}>
        <span>{t('test')}</span>
        <span data-field="test">
          {!v.test
            ? t('testNone')
            : v.test.result !== 'negative'
              ? t(v.test.result === 'positive' ? 'testPositive' : 'testPending')
              : v.test.valid
                ? t('testValidUntil', { until: day(v.test.validUntil!) })
                : t('testExpired', { at: day(v.test.sampledAt) })}
        </span>
      </div>
      <div class={`p-row ${v.goOut.today ? 'ok' : 'bad'}`}>
        <span>{t('goOut')}</span>
        <span data-field="go-out">{v.goOut.today ? t('goOutToday') : t('goOutNext', { date: v.goOut.nextDate!.slice(5) })}</span>
      </div>
      {v.quota && (
        <div class="p-row">
          <span>{t('quota')}</span>
          <span data-field="quota">{t('quotaUsed', { used: v.quota.used, allowed: v.quota.allowed, days: v.quota.days })}</span>
        </div>
      )}
      <div class={`p-row ${v.quarantineUntil ? 'bad' : ''}`}>
        <span>{t('quarantine')}</span>
        <span data-field="quarantine">{v.quarantineUntil ? t('quarantineUntil', { until: v.quarantineUntil.slice(5) }) : t('quarantineNone')}</span>
      </div>
      <h3>{t('passages')}</h3>
      {v.passages.length ? (
        <ul class="p-passages">
          {v.passages.map((p) => (
            <li key={p.at}>
              {day(p.at)} · {p.gate} · {t(p.direction === 'in' ? 'in' : 'out')}
            </li>
          ))}
        </ul>
      ) : (
        <p class="p-muted">{t('noPassages')}</p>
      )}
      <p class="p-muted">{t('updated', { at: day(v.generatedAt) })}</p>
    </section>
  );
}

document.documentElement.lang = savedPhoneLang() === 'zh' ? 'zh-CN' : 'en';
render(<App />, document.getElementById('phone')!);
