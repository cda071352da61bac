import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../client';
import { useI18n } from '../i18n';
import { errorText, issueText } from '../messages';

/** Load data for a page; `reload` fetches again. Errors are kept to show, never thrown into the tree. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown }>({ data: undefined, error: undefined });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data, error: undefined }),
      (error) => live && setState((s) => ({ data: s.data, error })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** A failure in words a person can act on, in the UI's language: what went wrong, then each field's issue. */
export function ErrorBox({ error }: { error: unknown }) {
  const { lang } = useI18n();
  if (!error) return null;
  const details = error instanceof ApiError && Array.isArray(error.details) ? error.details : [];
  return (
    <div class="error" role="alert">
      <div>{errorText(error, lang)}</div>
      {details.length > 0 && (
        <ul>
          {details.map((d) => {
            const { field, text } = issueText(d, lang);
            return (
              <li key={d.path}>
                <b>{field}</b>
                {lang === 'zh' ? '：' : ': '}
                {text}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      {props.children}
      {props.hint && <small>{props.hint}</small>}
    </label>
  );
}

/** Run an async action from a button or form, tracking busy and error. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn(...args);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

export function Form(props: { onSubmit: () => void; children: ComponentChildren; class?: string }) {
  return (
    <form
      class={props.class ?? 'form'}
      onSubmit={(e: Event) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <p class="muted">{t('loading')}</p>;
}

export function Badge(props: { tone: 'ok' | 'warn' | 'bad' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge ${props.tone}`}>{props.children}</span>;
}
