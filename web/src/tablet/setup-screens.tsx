import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { errorText } from '../messages';
import { ErrorBox, useAction } from '../ui/kit';
import { useTablet } from './context';
import { OfflineSignInError } from './controller';

// The screens before the gate: enroll the tablet, sign the volunteer in, pick the gate.

/** A screen before the gate: the app's name and `subtitle`, the language switch, one card. */
export function TabletFrame(props: { subtitle: string; title: string; testId?: string; children: preact.ComponentChildren }) {
  const { t, lang, setLang } = useI18n();
  return (
    <main class="t-frame">
      <header class="t-head">
        <img src="/icon.svg" alt="" width={40} height={40} />
        <div class="t-head-title">
          <strong>{t('appName')}</strong>
          <span>{props.subtitle}</span>
        </div>
        <button type="button" class="t-lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {t('language')}
        </button>
      </header>
      <section class="t-card" data-testid={props.testId}>
        <h1>{props.title}</h1>
        {props.children}
      </section>
    </main>
  );
}

/** Header of the setup screens: the compound (once enrolled). */
function Frame(props: { title: string; children: preact.ComponentChildren }) {
  const { t } = useI18n();
  const { s } = useTablet();
  return (
    <TabletFrame subtitle={s.device?.compound.name ?? t('tablet.title')} title={props.title}>
      {props.children}
    </TabletFrame>
  );
}

export function EnrollScreen() {
  const { t } = useI18n();
  const { c, s } = useTablet();
  const [code, setCode] = useState('');
  const enroll = useAction(() => c.enroll(code));
  return (
    <Frame title={t('tablet.enrollTitle')}>
      <p class="t-hint">{s.sync.lastError === 'revoked' ? t('tablet.revoked') : t('tablet.enrollHint')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void enroll.run();
        }}
      >
        <input
          class="t-input t-code"
          name="enrollmentCode"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value.toUpperCase())}
          placeholder="K7QM-3XPA"
          autocomplete="off"
          autocapitalize="characters"
          required
        />
        <ErrorBox error={enroll.error} />
        <button class="t-big t-primary" type="submit" disabled={enroll.busy}>
          {t('tablet.enroll')}
        </button>
      </form>
    </Frame>
  );
}

export function SignInScreen() {
  const { t, lang } = useI18n();
  const { c } = useTablet();
  const [phone, setPhone] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await c.signIn(phone.trim(), pin);
    } catch (err) {
      if (err instanceof OfflineSignInError) setError(t(`tablet.offline.${err.why}`));
      else setError(errorText(err, lang));
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  const key = (d: string) => setPin((p) => (d === '⌫' ? p.slice(0, -1) : p.length < 6 ? p + d : p));
  return (
    <Frame title={t('tablet.signInTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label class="t-label">
          {t('phone')}
          <input class="t-input" name="phone" inputMode="tel" autocomplete="username" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} required />
        </label>
        <label class="t-label">
          {t('pin')}
          <input class="t-input t-pin" name="pin" type="password" inputMode="numeric" maxLength={6} value={pin} onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))} required />
        </label>
        <div class="t-keypad">
          {['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0'].map((d) => (
            <button type="button" key={d} class="t-key" onClick={() => key(d)}>
              {d}
            </button>
          ))}
          <button type="submit" class="t-key t-primary" disabled={busy || pin.length !== 6}>
            ✓
          </button>
        </div>
        {error && (
          <div class="error" role="alert">
            {error}
          </div>
        )}
      </form>
    </Frame>
  );
}

export function ShiftSetup() {
  const { t } = useI18n();
  const { c, s } = useTablet();
  const [direction, setDirection] = useState<'in' | 'out'>('out');
  const gates = c.roster.state?.gates ?? [];
  const start = useAction((gateId: number) => c.startShift(gateId, direction));
  return (
    <Frame title={t('tablet.chooseGate')}>
      <p class="t-hint">
        {s.volunteer!.displayName}
        {s.volunteer!.offline && ` · ${t('tablet.offlineSignedIn')}`}
      </p>
      <div class="t-seg" role="radiogroup" aria-label={t('tablet.direction')}>
        {(['in', 'out'] as const).map((d) => (
          <button type="button" key={d} role="radio" aria-checked={direction === d} class={direction === d ? 'on' : ''} onClick={() => setDirection(d)}>
            {t(`tablet.${d}`)}
          </button>
        ))}
      </div>
      {gates.length === 0 && <p class="error">{t('tablet.noRoster')}</p>}
      <div class="t-gates">
        {gates.map((g) => (
          <button type="button" key={g.id} class="t-big" disabled={start.busy} onClick={() => start.run(g.id)}>
            {g.name}
          </button>
        ))}
      </div>
      <ErrorBox error={start.error} />
      <button type="button" class="t-link" onClick={() => c.signOut()}>
        {t('tablet.signOut')}
      </button>
    </Frame>
  );
}
