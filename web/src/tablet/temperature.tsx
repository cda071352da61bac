import { useState } from 'preact/hooks';
import { formatTemperature } from '../../../server/core/i18n';
import { TEMPERATURE_RANGE, temperatureRules } from '../../../server/core/policy';
import { useI18n } from '../i18n';
import { useTablet } from './context';
import type { LocalDecision } from './gate';
import './temperature.css';

/**
 * 体温 at the gate. Where the policy wants a reading for this direction, a check's verdict waits for it
 * (the controller holds the decision, `state.reading`): the volunteer reads the thermometer and either
 * taps "normal" (one tap, the usual case) or types the number on a keypad made for gloves: three digits,
 * the decimal point implied (3 7 8 → 37.8 °C). The check is then decided again with the reading and
 * recorded with it, offline like any other.
 */

/** The keypad's digits as a temperature: "378" → 37.8; null until there are three digits in range. */
export function keypadValue(digits: string): number | null {
  if (!/^\d{3}$/.test(digits)) return null;
  const c = Number(digits) / 10;
  return c >= TEMPERATURE_RANGE.min && c <= TEMPERATURE_RANGE.max ? c : null;
}

/** The keypad's digits as shown while typing: "3" → "3_._", "37" → "37._", "378" → "37.8". */
const shown = (digits: string) => `${digits[0] ?? '_'}${digits[1] ?? '_'}.${digits[2] ?? '_'}`;

/** The step before the verdict: whom it is for, one big "normal" button, and the keypad. */
export function TemperatureStep(props: { d: LocalDecision }) {
  const { t } = useI18n();
  const { c } = useTablet();
  const [digits, setDigits] = useState('');
  const [busy, setBusy] = useState(false);
  const fever = temperatureRules(c.roster.state?.policy.rules ?? {}).feverC;
  const value = keypadValue(digits);
  const person = props.d.person;
  const run = (f: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    f().finally(() => setBusy(false));
  };
  const press = (k: string) => setDigits((d) => (d.length < 3 ? d + k : d));

  return (
    <div class="t-temp" data-testid="temperature" role="dialog" aria-label={t('temp.title')}>
      <div class="t-temp-head">
        <h2>{t('temp.title')}</h2>
        {person && (
          <p class="t-temp-person">
            {person.name} · {person.building} {person.unit}
            {t('temp.unit')}
            {person.room}
          </p>
        )}
        <p class="t-temp-rule">{t('temp.rule', { c: formatTemperature(fever) })}</p>
      </div>
      <div class="t-temp-body">
        <button type="button" class="t-temp-normal" data-testid="temperature-normal" disabled={busy} onClick={() => run(() => c.takeReading({ kind: 'normal' }))}>
          {t('temp.normal')}
          <small>{t('temp.normalHint', { c: formatTemperature(fever) })}</small>
        </button>
        <div class="t-temp-pad">
          <output class={`t-temp-value ${value !== null && value >= fever ? 'fever' : ''}`} data-testid="temperature-value">
            {shown(digits)} °C
          </output>
          <div class="t-keypad">
            {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((k) => (
              <button type="button" class="t-key" key={k} onClick={() => press(k)}>
                {k}
              </button>
            ))}
            <button type="button" class="t-key" aria-label={t('temp.clear')} onClick={() => setDigits('')}>
              C
            </button>
            <button type="button" class="t-key" onClick={() => press('0')}>
              0
            </button>
            <button type="button" class="t-key" aria-label={t('temp.back')} onClick={() => setDigits((d) => d.slice(0, -1))}>
              ⌫
            </button>
          </div>
          <button type="button" class="t-big t-primary" data-testid="temperature-ok" disabled={value === null || busy} onClick={() => value !== null && run(() => c.takeReading({ kind: 'measured', c: value }))}>
            {value === null ? t('temp.type') : t('temp.record', { c: formatTemperature(value) })}
          </button>
        </div>
      </div>
      <button type="button" class="t-temp-cancel" disabled={busy} onClick={() => run(() => c.cancelReading())}>
        {t('temp.cancel')}
      </button>
    </div>
  );
}

/** The reading on the verdict screen: "体温 37.8 °C" or "体温正常". */
export function TemperatureLine(props: { d: LocalDecision }) {
  const { t } = useI18n();
  const r = props.d.reading;
  if (!r) return null;
  return (
    <div class="t-verdict-temp" data-testid="verdict-temperature">
      {r.kind === 'normal' ? t('temp.shownNormal') : t('temp.shown', { c: formatTemperature(r.c) })}
    </div>
  );
}
