import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { isDateString, isTimeOfDay } from '../../../server/core/time';
import { useI18n } from '../i18n';

/**
 * A date as YYYY-MM-DD in both languages. Chromium's <input type=date> shows the browser's locale
 * (11/29/2026), not the page's; this is a text box of ours that takes and shows 2026-11-29, says what
 * is wrong with anything else and passes on only a real date within [min, max]. The calendar button
 * opens the browser's own picker where it has one: a picked date comes back as YYYY-MM-DD text.
 */
export function DateField(props: {
  name: string;
  value: string;
  onChange: (date: string) => void;
  min?: string | undefined;
  max?: string | undefined;
  required?: boolean;
  label?: string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(props.value);
  const picker = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLInputElement>(null);
  // A value set from outside (a reset, the page's own default) replaces what is typed.
  useEffect(() => setText(props.value), [props.value]);
  const problem = dateProblem(text, props, t);
  // While what is typed is not a good date, the form it is in does not submit (with the last good date):
  // set as it is typed, and again whenever the problem changes otherwise (a value from outside).
  useLayoutEffect(() => box.current?.setCustomValidity(problem ?? ''), [problem]);
  const take = (next: string) => {
    setText(next);
    box.current?.setCustomValidity(dateProblem(next, props, t) ?? '');
    // Only a good date goes on (or, where the date is optional, none at all).
    if (!dateProblem(next, props, t) && next !== props.value) props.onChange(next);
  };
  return (
    <span class="date-field">
      <input
        ref={box}
        type="text"
        name={props.name}
        value={text}
        inputMode="numeric"
        placeholder="YYYY-MM-DD"
        maxLength={10}
        autocomplete="off"
        spellcheck={false}
        required={props.required}
        aria-label={props.label}
        aria-invalid={problem ? true : undefined}
        onInput={(e) => take(e.currentTarget.value.trim())}
      />
      <button
        type="button"
        class="date-pick"
        aria-label={t('pickDate')}
        tabIndex={-1}
        onClick={() => {
          try {
            picker.current?.showPicker();
          } catch {
            picker.current?.focus();
          }
        }}
      >
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.4" />
          <path d="M1.5 6.5h13M5 1.5v3M11 1.5v3" stroke="currentColor" stroke-width="1.4" />
        </svg>
      </button>
      <input ref={picker} type="date" class="date-native" tabIndex={-1} aria-hidden="true" value={isDateString(props.value) ? props.value : ''} min={props.min} max={props.max} onInput={(e) => e.currentTarget.value && take(e.currentTarget.value)} />
      {problem && (
        <small class="field-error" role="alert">
          {problem}
        </small>
      )}
    </span>
  );
}

function dateProblem(text: string, o: { min?: string | undefined; max?: string | undefined; required?: boolean }, t: (k: string, v?: Record<string, string>) => string): string | null {
  if (text === '') return o.required ? t('date.required') : null;
  if (!isDateString(text)) return t('date.format');
  if (o.min && text < o.min) return t('date.min', { date: o.min });
  if (o.max && text > o.max) return t('date.max', { date: o.max });
  return null;
}

/**
 * A local date and time as YYYY-MM-DD and HH:MM (the value: 'YYYY-MM-DDTHH:MM'), for the same reason as
 * DateField: <input type=datetime-local> shows 11/29/2026, 08:00 AM in a Chinese page.
 */
export function DateTimeField(props: { name: string; value: string; onChange: (value: string) => void }) {
  const { t } = useI18n();
  const [date, time] = [props.value.slice(0, 10), props.value.slice(11, 16)];
  const [typed, setTyped] = useState(time);
  useEffect(() => setTyped(time), [time]);
  const badTime = !isTimeOfDay(typed);
  return (
    <span class="date-field">
      <DateField name={`${props.name}Date`} value={date} onChange={(d) => props.onChange(`${d}T${time}`)} required />
      <input
        type="text"
        name={`${props.name}Time`}
        class="time-text"
        value={typed}
        inputMode="numeric"
        placeholder="HH:MM"
        maxLength={5}
        autocomplete="off"
        aria-invalid={badTime ? true : undefined}
        onInput={(e) => {
          const next = e.currentTarget.value.trim();
          setTyped(next);
          if (isTimeOfDay(next)) props.onChange(`${date}T${next}`);
        }}
      />
      {badTime && (
        <small class="field-error" role="alert">
          {t('time.format')}
        </small>
      )}
    </span>
  );
}
