import { formatLocal } from '../../../server/core/time';
import { useI18n } from '../i18n';
import { errorText, rejectionText } from '../messages';
import { ErrorBox, useAction } from '../ui/kit';
import { useTablet } from './context';
import { SheetFrame } from './sheet-frame';

/** What is waiting to sync and what the server refused; sync and fetch the roster by hand. */
export function SyncSheet(props: { onClose: () => void }) {
  const { t, lang } = useI18n();
  const { c, s } = useTablet();
  const sync = useAction(() => c.syncNow());
  const roster = useAction(() => c.refreshRoster());
  const tz = s.device!.compound.timezone;
  return (
    <SheetFrame title={t('tablet.syncTitle')} onClose={props.onClose}>
      <p>
        {s.sync.online ? t('tablet.online') : t('tablet.offline')} · {t('tablet.waiting', { n: s.sync.pending })} ·{' '}
        {t('tablet.lastSync', { t: s.sync.lastSyncAt ? formatLocal(s.sync.lastSyncAt, tz) : t('tablet.never') })}
      </p>
      {s.sync.lastError ? <p class="t-warn">{errorText(s.sync.lastError, lang)}</p> : null}
      <div class="t-row">
        <button type="button" class="t-big" disabled={sync.busy} onClick={() => sync.run()}>
          {t('tablet.syncNow')}
        </button>
        <button type="button" class="t-big" disabled={roster.busy} onClick={() => roster.run()}>
          {t('tablet.refreshRoster')}
        </button>
      </div>
      <ErrorBox error={sync.error || roster.error} />
      {s.sync.rejected.length > 0 && (
        <>
          <h3>{t('tablet.rejectedTitle')}</h3>
          <ul class="t-rejected" data-testid="rejected">
            {s.sync.rejected.map((r) => (
              <li key={r.id}>
                {formatLocal(Date.parse(r.at), tz)} · {r.kind} · {rejectionText(r.reason, lang)}
              </li>
            ))}
          </ul>
        </>
      )}
    </SheetFrame>
  );
}
