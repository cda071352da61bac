import { useEffect, useRef, useState } from 'preact/hooks';
import { zonedDate, zonedTime } from '../../../server/core/time';
import { useI18n } from '../i18n';
import { errorText } from '../messages';
import { createScanner, type Scanner } from '../scan/scanner';
import { listenForWedge } from '../scan/wedge';
import { TabletError } from './controller';
import { useTablet } from './context';
import { DoorSheet } from './door-sheet';
import { EndShiftSheet } from './end-shift-sheet';
import { LookupSheet } from './lookup-sheet';
import { OverrideSheet } from './override-sheet';
import { PlacePicker } from './place-picker';
import { RoundSheet } from './round-sheet';
import { SheetFrame } from './sheet-frame';
import { prepareSound, signal } from './sound';
import { SyncSheet } from './sync-sheet';
import { TemperatureStep } from './temperature';
import type { RoundTarget } from './types';
import { VerdictView } from './verdict-view';
import { VisitorSheet } from './visitor-sheet';

type Sheet = null | 'lookup' | 'visitor' | 'end' | 'sync' | 'places' | 'doors' | 'override' | { round: RoundTarget };

/** The gate: the camera, the direction, the shift's counts, the verdict; the sheets open over it. */
export function ScanScreen() {
  const { t, lang, setLang } = useI18n();
  const { c, s } = useTablet();
  const shift = s.shift!;
  const roster = c.roster.state;
  const verdict = s.verdict;
  const [notice, setNotice] = useState<string | null>(null);
  const [sheet, setSheet] = useState<Sheet>(null);
  const cameraOn = s.settings.cameraOn;
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [torch, setTorch] = useState<{ available: boolean; on: boolean }>({ available: false, on: false });
  const scanner = useRef<Scanner | null>(null);
  const gateName = roster?.gates.find((g) => g.id === shift.gateId)?.name ?? '';
  const tz = s.device!.compound.timezone;
  const fail = (err: unknown) => setNotice(err instanceof TabletError ? t(`tablet.error.${err.key}`) : errorText(err, lang));

  // A building's or point's placard opens its disinfection rounds; anything else is a person's pass.
  const onCode = (text: string) => {
    c.scan(text, { formOpen: (sheet !== null && sheet !== 'sync') || s.reading !== null }).then((r) => {
      if (r.kind === 'place') {
        if (r.target) setSheet({ round: r.target });
        else setNotice(t('tablet.placardInvalid'));
      }
    }, fail);
  };
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;

  // The camera, while it is on.
  useEffect(() => {
    if (!cameraOn) return;
    let cancelled = false;
    const sc = createScanner('t-camera', { cameraId: s.settings.cameraId });
    scanner.current = sc;
    sc.start((text) => onCodeRef.current(text))
      .then(() => {
        if (!cancelled) {
          setCameraError(null);
          setTorch({ available: sc.hasTorch(), on: false });
        }
      })
      .catch((err) => !cancelled && setCameraError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
      void sc.stop().catch(() => {});
      scanner.current = null;
    };
  }, [cameraOn, s.settings.cameraId]);

  // The sound is ready before the first person arrives (making it takes a moment).
  useEffect(() => prepareSound(), []);

  // A scanner gun typing the code works with the camera on or off.
  useEffect(() => listenForWedge((text) => onCodeRef.current(text)), []);

  // Sound and vibration once the verdict is on screen, not before it (an effect runs after the paint).
  useEffect(() => {
    if (verdict) signal(verdict.decision.verdict, s.settings.muted);
  }, [verdict]);

  // The verdict waits while a sheet is open over it.
  useEffect(() => c.holdVerdict(sheet !== null), [sheet]);

  const rosterAgeMin = s.rosterFetchedAt ? Math.floor((Date.now() - s.rosterFetchedAt) / 60_000) : null;
  const stale = rosterAgeMin !== null && roster ? rosterAgeMin > roster.policy.rules.maxRosterAgeMinutes : false;
  const age = (m: number) => (m < 1 ? t('tablet.justNow') : m < 120 ? t('tablet.minutes', { n: m }) : t('tablet.hours', { n: Math.floor(m / 60) }));

  return (
    <div class={`t-scan ${verdict ? 'has-verdict' : ''}`}>
      <header class="t-status" onClick={() => setSheet('sync')}>
        <span class={`t-dot ${s.sync.online ? 'ok' : 'bad'}`} data-testid="online-state">
          {s.sync.online ? t('tablet.online') : t('tablet.offline')}
        </span>
        <span data-testid="pending">{t('tablet.waiting', { n: s.sync.pending })}</span>
        {s.sync.photos > 0 && <span>{t('tablet.photosWaiting', { n: s.sync.photos })}</span>}
        {s.sync.rejected.length > 0 && <span class="t-warn">{t('tablet.rejectedN', { n: s.sync.rejected.length })}</span>}
        <span data-testid="last-sync">{t('tablet.lastSync', { t: s.sync.lastSyncAt ? shortTime(s.sync.lastSyncAt, tz) : t('tablet.never') })}</span>
        <span class={stale ? 't-warn' : ''}>{rosterAgeMin === null ? t('tablet.noRoster') : stale ? t('tablet.rosterStale') : t('tablet.rosterAge', { age: age(rosterAgeMin) })}</span>
        <span class="t-who">
          {gateName} · {s.volunteer!.displayName}
        </span>
      </header>

      <div class="t-main">
        <div class="t-seg t-direction" role="radiogroup" aria-label={t('tablet.direction')}>
          {(['in', 'out'] as const).map((d) => (
            <button type="button" key={d} role="radio" aria-checked={shift.direction === d} class={shift.direction === d ? 'on' : ''} onClick={() => c.setDirection(d)}>
              {t(`tablet.${d}`)}
            </button>
          ))}
        </div>
        <div class="t-camera-wrap">
          {cameraOn ? <div id="t-camera" class="t-camera" /> : <div class="t-camera t-camera-off">{t('tablet.cameraOff')}</div>}
          <p class="t-scan-hint">{cameraError ? t('tablet.cameraError', { msg: cameraError }) : t('tablet.scanHint')}</p>
          {notice && (
            <div class="error" role="alert" onClick={() => setNotice(null)}>
              {notice}
            </div>
          )}
        </div>
        <div class="t-counts" data-testid="counts">
          <span>{t('tablet.countIn', { n: shift.counts.in })}</span>
          <span>{t('tablet.countOut', { n: shift.counts.out })}</span>
          <span class="t-denied">{t('tablet.countDenied', { n: shift.counts.denied })}</span>
          <span>{t('tablet.countVisitors', { n: shift.counts.visitors ?? 0 })}</span>
        </div>
        <nav class="t-actions">
          <button type="button" class="t-big" onClick={() => setSheet('lookup')}>
            {t('tablet.noCode')}
          </button>
          <button type="button" class="t-big" onClick={() => setSheet('visitor')}>
            {t('tablet.visitor')}
          </button>
          <button type="button" class="t-big" onClick={() => setSheet('places')}>
            {t('tablet.disinfection')}
          </button>
          <button type="button" class="t-big" onClick={() => setSheet('doors')}>
            {t('tablet.doors')}
          </button>
          <button type="button" class="t-tool" data-testid="camera-toggle" onClick={() => c.saveSettings({ cameraOn: !cameraOn })}>
            {cameraOn ? t('tablet.cameraStop') : t('tablet.cameraOn')}
          </button>
          {torch.available && (
            <button
              type="button"
              class={`t-tool ${torch.on ? 'on' : ''}`}
              onClick={async () => {
                await scanner.current?.setTorch(!torch.on);
                setTorch({ ...torch, on: !torch.on });
              }}
            >
              {t('tablet.torch')}
            </button>
          )}
          <CameraPicker />
          <button type="button" class="t-tool" onClick={() => c.saveSettings({ muted: !s.settings.muted })}>
            {s.settings.muted ? t('tablet.unmute') : t('tablet.mute')}
          </button>
          <button type="button" class="t-tool" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {t('language')}
          </button>
          <button type="button" class="t-tool" onClick={() => setSheet('end')}>
            {t('tablet.endShift')}
          </button>
        </nav>
      </div>

      {s.reading && <TemperatureStep d={s.reading} />}
      {verdict && <VerdictView shown={verdict} tz={tz} onDismiss={() => void c.dismissVerdict()} onOverride={() => setSheet('override')} />}
      {sheet === 'lookup' && (
        <LookupSheet
          onClose={() => setSheet(null)}
          onPicked={(residentId) => {
            setSheet(null);
            c.lookUp(residentId).catch(fail);
          }}
        />
      )}
      {sheet === 'visitor' && (
        <VisitorSheet
          onClose={() => setSheet(null)}
          onDecided={() => {
            setSheet(null);
            setNotice(null);
          }}
        />
      )}
      {sheet === 'end' && <EndShiftSheet onClose={() => setSheet(null)} />}
      {sheet === 'sync' && <SyncSheet onClose={() => setSheet(null)} />}
      {sheet === 'doors' && <DoorSheet onClose={() => setSheet(null)} />}
      {sheet === 'places' && (
        <SheetFrame title={t('tablet.disinfection')} onClose={() => setSheet(null)}>
          <PlacePicker onPick={(target) => setSheet({ round: target })} />
        </SheetFrame>
      )}
      {sheet && typeof sheet === 'object' && (
        <SheetFrame title={t('tablet.disinfection')} onClose={() => setSheet(null)}>
          <RoundSheet
            target={sheet.round}
            onDone={() => {
              setSheet(null);
              setNotice(null);
            }}
          />
        </SheetFrame>
      )}
      {sheet === 'override' && (
        <OverrideSheet
          onClose={() => setSheet(null)}
          onConfirm={async (reason) => {
            await c.overrideVerdict(reason);
            setSheet(null);
          }}
        />
      )}
    </div>
  );
}

/** A time of today as 16:00; of another day (a tablet offline overnight) as 11-28 16:00. */
function shortTime(ms: number, tz: string): string {
  const day = zonedDate(ms, tz);
  return day === zonedDate(Date.now(), tz) ? zonedTime(ms, tz) : `${day.slice(5)} ${zonedTime(ms, tz)}`;
}

/** Another camera, when the tablet has more than one. */
function CameraPicker() {
  const { t } = useI18n();
  const { c, s } = useTablet();
  const [cameras, setCameras] = useState<{ id: string; label: string }[]>([]);
  useEffect(() => {
    navigator.mediaDevices
      ?.enumerateDevices?.()
      .then((list) => setCameras(list.filter((d) => d.kind === 'videoinput').map((d, i) => ({ id: d.deviceId, label: d.label || `${t('tablet.switchCamera')} ${i + 1}` }))))
      .catch(() => {});
  }, []);
  if (cameras.length < 2) return null;
  const i = cameras.findIndex((cam) => cam.id === s.settings.cameraId);
  const next = cameras[(i + 1) % cameras.length]!;
  return (
    <button type="button" class="t-tool" onClick={() => c.saveSettings({ cameraId: next.id })}>
      {t('tablet.switchCamera')}
    </button>
  );
}
