import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { parseCode } from '../../../server/core/code';
import { reasonText, VERDICT_WORDS } from '../../../server/core/i18n';
import { maskPhone } from '../../../server/core/mask';
import { formatLocal, zonedTime } from '../../../server/core/time';
import { useI18n } from '../i18n';
import { createScanner, type Scanner } from '../scan/scanner';
import { listenForWedge } from '../scan/wedge';
import { ErrorBox, useAction } from '../ui/kit';
import { useTablet } from './app';
import type { LocalDecision } from './gate';
import { PlacePicker, type RoundTarget, RoundSheet } from './rounds';
import { prepareSound, signal } from './sound';

/** A code just decided is not decided again for this long (a pass held up in front of the camera). */
const SAME_CODE_MS = 5_000;
/** The verdict goes back to scanning by itself: quickly when the person may pass, a little later when not. */
const VERDICT_MS = { allow: 2_000, deny: 5_000, review: 5_000 } as const;

type Sheet = null | 'lookup' | 'visitor' | 'end' | 'sync' | 'places' | { override: LocalDecision } | { round: RoundTarget };

export function ScanScreen() {
  const { t, lang, setLang } = useI18n();
  const { c, s } = useTablet();
  const shift = s.shift!;
  const roster = c.roster.state;
  const [verdict, setVerdict] = useState<{ d: LocalDecision; at: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [sheet, setSheet] = useState<Sheet>(null);
  const cameraOn = s.settings.cameraOn;
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [torch, setTorch] = useState<{ available: boolean; on: boolean }>({ available: false, on: false });
  const scanner = useRef<Scanner | null>(null);
  // A deny or review waits for the volunteer (turn back, or override) before it is recorded.
  const unresolved = useRef<LocalDecision | null>(null);
  const lastCode = useRef<{ text: string; at: number } | null>(null);
  const gateName = roster?.gates.find((g) => g.id === shift.gateId)?.name ?? '';
  const tz = s.device!.compound.timezone;

  const settle = async (override: { reason: string } | null = null) => {
    const d = unresolved.current;
    unresolved.current = null;
    if (d) await c.record(d, override);
  };

  // The verdict goes on screen first; its record follows at once (a deny or review when resolved).
  const show = async (d: LocalDecision) => {
    const previous = unresolved.current;
    unresolved.current = d.verdict === 'allow' ? null : d;
    setVerdict({ d, at: Date.now() });
    // Sound and vibration right after the verdict is on screen, not before it.
    requestAnimationFrame(() => setTimeout(() => signal(d.verdict, s.settings.muted), 0));
    try {
      if (previous) await c.record(previous);
      if (d.verdict === 'allow') await c.record(d);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    }
  };

  const onCode = (text: string) => {
    (window as unknown as { __gatepostDecodedAt?: number }).__gatepostDecodedAt ??= performance.now();
    const now = Date.now();
    const code = text.trim();
    if (lastCode.current && lastCode.current.text === code && now - lastCode.current.at < SAME_CODE_MS) return;
    lastCode.current = { text: code, at: now };
    if (sheet && sheet !== 'sync') return; // a form is open: the camera waits
    // A building's or point's placard opens its disinfection rounds; anything else is a person's pass.
    const parsed = parseCode(code);
    if (parsed?.kind === 'placard') {
      c.placard(parsed).then(
        (target) => (target ? setSheet({ round: target }) : setNotice(t('tablet.placardInvalid'))),
        (err) => setNotice(err instanceof Error ? err.message : String(err)),
      );
      return;
    }
    c.decide({ kind: 'code', text: code }).then(show, (err) => setNotice(err instanceof Error ? err.message : String(err)));
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
        (window as unknown as { __gatepostCameraStartedAt?: number }).__gatepostCameraStartedAt = performance.now();
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

  // Whatever is pending is recorded if the app is put away or closed.
  useEffect(() => {
    const away = () => void settle();
    window.addEventListener('pagehide', away);
    return () => window.removeEventListener('pagehide', away);
  }, []);

  // Back to scanning by itself.
  useEffect(() => {
    if (!verdict || sheet) return;
    const timer = setTimeout(() => {
      void settle();
      setVerdict(null);
    }, VERDICT_MS[verdict.d.verdict]);
    return () => clearTimeout(timer);
  }, [verdict, sheet]);

  const dismiss = () => {
    void settle();
    setVerdict(null);
  };

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
        <span>{t('tablet.lastSync', { t: s.sync.lastSyncAt ? zonedTime(s.sync.lastSyncAt, tz) : t('tablet.never') })}</span>
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

      {verdict && <VerdictView d={verdict.d} tz={tz} onDismiss={dismiss} onOverride={() => setSheet({ override: verdict.d })} />}
      {sheet === 'lookup' && <LookupSheet onClose={() => setSheet(null)} onDecided={(d) => { setSheet(null); void show(d); }} />}
      {sheet === 'visitor' && <VisitorSheet onClose={() => setSheet(null)} onDone={() => { setSheet(null); setNotice(null); }} />}
      {sheet === 'end' && <EndShiftSheet onClose={() => setSheet(null)} />}
      {sheet === 'sync' && <SyncSheet onClose={() => setSheet(null)} />}
      {sheet === 'places' && (
        <SheetFrame title={t('tablet.disinfection')} onClose={() => setSheet(null)}>
          <PlacePicker onPick={(target) => setSheet({ round: target })} />
        </SheetFrame>
      )}
      {sheet && typeof sheet === 'object' && 'round' in sheet && (
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
      {sheet && typeof sheet === 'object' && 'override' in sheet && (
        <OverrideSheet
          onClose={() => setSheet(null)}
          onConfirm={async (reason) => {
            await settle({ reason });
            setSheet(null);
            setVerdict(null);
          }}
        />
      )}
    </div>
  );
}

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

/** The test as seen (a missing one is already a reason on the screen). */
function testLine(d: LocalDecision, t: ReturnType<typeof useI18n>['t']) {
  return d.test ? t(`tablet.test.${d.test.result}`, { h: d.test.ageHours }) : '';
}

function VerdictView(props: { d: LocalDecision; tz: string; onDismiss: () => void; onOverride: () => void }) {
  const { t, lang } = useI18n();
  const { d } = props;
  const word = VERDICT_WORDS[d.verdict][lang === 'zh' ? 0 : 1];
  // The moment the verdict is on screen (the benchmark reads it).
  useEffect(() => {
    requestAnimationFrame(() => {
      (window as unknown as { __gatepostVerdictPaintedAt?: number }).__gatepostVerdictPaintedAt = performance.now();
    });
  }, [d]);
  return (
    <div class={`t-verdict v-${d.verdict}`} data-testid="verdict" data-verdict={d.verdict} role="alert" onClick={props.onDismiss}>
      <div class="t-verdict-word">{word}</div>
      {d.person && (
        <div class="t-verdict-person">
          <span class="t-verdict-name">{d.person.name}</span>
          <span>
            {d.person.building} {d.person.unit}
            {lang === 'zh' ? '单元' : '-'}
            {d.person.room}
          </span>
        </div>
      )}
      <div class="t-verdict-test">{testLine(d, t)}</div>
      {d.reasons.length > 0 && (
        <ul class="t-verdict-reasons">
          {d.reasons.map((r) => (
            <li key={r.code}>{reasonText(r, lang, props.tz, Date.now())}</li>
          ))}
        </ul>
      )}
      <div class="t-verdict-actions">
        {d.verdict !== 'allow' && d.canOverride && (
          <button
            type="button"
            class="t-big t-light"
            onClick={(e) => {
              e.stopPropagation();
              props.onOverride();
            }}
          >
            {t('tablet.override')}
          </button>
        )}
        <span class="t-tap">{t('tablet.tapToContinue')}</span>
      </div>
    </div>
  );
}

function SheetFrame(props: { title: string; onClose: () => void; children: preact.ComponentChildren }) {
  const { t } = useI18n();
  return (
    <div class="t-sheet-back" onClick={props.onClose}>
      <div class="t-sheet" onClick={(e) => e.stopPropagation()} role="dialog" aria-label={props.title}>
        <header>
          <h2>{props.title}</h2>
          <button type="button" class="t-tool" onClick={props.onClose}>
            {t('tablet.back')}
          </button>
        </header>
        {props.children}
      </div>
    </div>
  );
}

function OverrideSheet(props: { onClose: () => void; onConfirm: (reason: string) => Promise<void> }) {
  const { t } = useI18n();
  const [other, setOther] = useState('');
  const confirm = useAction(props.onConfirm);
  return (
    <SheetFrame title={t('tablet.overrideTitle')} onClose={props.onClose}>
      <div class="t-chips">
        {t('tablet.overrideReasons')
          .split('|')
          .map((r) => (
            <button type="button" key={r} class="t-chip" disabled={confirm.busy} onClick={() => confirm.run(r)}>
              {r}
            </button>
          ))}
      </div>
      <form
        class="t-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (other.trim()) void confirm.run(other.trim());
        }}
      >
        <input class="t-input" name="overrideReason" placeholder={t('tablet.otherReason')} value={other} onInput={(e) => setOther(e.currentTarget.value)} />
        <button type="submit" class="t-big t-primary" disabled={!other.trim() || confirm.busy}>
          {t('tablet.confirm')}
        </button>
      </form>
      <ErrorBox error={confirm.error} />
    </SheetFrame>
  );
}

/** No code: find the household by building and room, then the person (names are masked). */
function LookupSheet(props: { onClose: () => void; onDecided: (d: LocalDecision) => void }) {
  const { t } = useI18n();
  const { c } = useTablet();
  const roster = c.roster.state;
  const [buildingId, setBuildingId] = useState<number | null>(roster?.buildings[0]?.id ?? null);
  const [room, setRoom] = useState('');
  const [name, setName] = useState('');
  const people = useMemo(() => {
    if (!roster || !buildingId || !room.trim()) return null;
    const households = [...roster.households.values()].filter((h) => h.buildingId === buildingId && h.room === room.trim());
    const ids = new Set(households.map((h) => h.id));
    return [...roster.residents.values()]
      .filter((r) => ids.has(r.householdId) && (!name.trim() || r.name.startsWith(name.trim().slice(0, 1))))
      .map((r) => ({ ...r, unit: roster.households.get(r.householdId)!.unit }));
  }, [roster, buildingId, room, name]);
  return (
    <SheetFrame title={t('tablet.noCode')} onClose={props.onClose}>
      <div class="t-form">
        <label class="t-label">
          {t('tablet.building')}
          <select class="t-input" name="building" value={buildingId ?? ''} onChange={(e) => setBuildingId(Number(e.currentTarget.value))}>
            {roster?.buildings.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label class="t-label">
          {t('tablet.room')}
          <input class="t-input" name="room" inputMode="numeric" value={room} onInput={(e) => setRoom(e.currentTarget.value)} />
        </label>
        <label class="t-label">
          {t('tablet.name')}
          <input class="t-input" name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
      </div>
      {people && people.length === 0 && <p class="error">{t('tablet.noMatch')}</p>}
      {people && people.length > 0 && (
        <>
          <p class="t-hint">{t('tablet.pickPerson')}</p>
          <div class="t-chips">
            {people.map((p) => (
              <button type="button" key={p.id} class="t-chip t-person" onClick={() => c.decide({ kind: 'manual', residentId: p.id }).then(props.onDecided)}>
                {p.name} <small>{p.unit}-{room}</small>
              </button>
            ))}
          </div>
        </>
      )}
    </SheetFrame>
  );
}

function VisitorSheet(props: { onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { c } = useTablet();
  const roster = c.roster.state;
  const reasons = t('tablet.visitorReasons').split('|');
  const [f, setF] = useState({ name: '', phone: '', reason: reasons[0]!, buildingId: roster?.buildings[0]?.id ?? 0, room: '' });
  const [done, setDone] = useState<string | null>(null);
  const register = useAction(async () => {
    const host = f.room.trim() ? [...(roster?.households.values() ?? [])].find((h) => h.buildingId === f.buildingId && h.room === f.room.trim()) : undefined;
    if (f.room.trim() && !host) throw new Error(t('tablet.noMatch'));
    await c.registerVisitor({ name: f.name.trim(), phone: f.phone.replace(/\D/g, ''), reason: f.reason, hostHouseholdId: host?.id ?? null });
    setDone(`${f.name.trim()} · ${maskPhone(f.phone.replace(/\D/g, ''))} · ${f.reason}`);
    setTimeout(props.onDone, 1500);
  });
  if (done) {
    return (
      <SheetFrame title={t('tablet.visitorDone')} onClose={props.onDone}>
        <p class="t-done" data-testid="visitor-done">
          ✓ {done}
        </p>
      </SheetFrame>
    );
  }
  return (
    <SheetFrame title={t('tablet.visitor')} onClose={props.onClose}>
      <form
        class="t-form"
        onSubmit={(e) => {
          e.preventDefault();
          void register.run();
        }}
      >
        <label class="t-label">
          {t('tablet.visitorName')}
          <input class="t-input" name="visitorName" value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} required maxLength={40} />
        </label>
        <label class="t-label">
          {t('tablet.visitorPhone')}
          <input class="t-input" name="visitorPhone" inputMode="tel" value={f.phone} onInput={(e) => setF({ ...f, phone: e.currentTarget.value })} required pattern="\+?[\d\s-]{6,20}" />
        </label>
        <div class="t-label">
          {t('tablet.visitorReason')}
          <div class="t-chips">
            {reasons.map((r) => (
              <button type="button" key={r} class={`t-chip ${f.reason === r ? 'on' : ''}`} onClick={() => setF({ ...f, reason: r })}>
                {r}
              </button>
            ))}
          </div>
        </div>
        <div class="t-label">
          {t('tablet.host')}
          <div class="t-row">
            <select class="t-input" name="hostBuilding" value={f.buildingId} onChange={(e) => setF({ ...f, buildingId: Number(e.currentTarget.value) })}>
              {roster?.buildings.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
            <input class="t-input" name="hostRoom" inputMode="numeric" placeholder={t('tablet.room')} value={f.room} onInput={(e) => setF({ ...f, room: e.currentTarget.value })} />
          </div>
        </div>
        <ErrorBox error={register.error} />
        <button type="submit" class="t-big t-primary" disabled={register.busy}>
          {t('tablet.register')}
        </button>
      </form>
    </SheetFrame>
  );
}

function EndShiftSheet(props: { onClose: () => void }) {
  const { t } = useI18n();
  const { c, s } = useTablet();
  const [note, setNote] = useState('');
  const end = useAction(async (signOut: boolean) => {
    await c.endShift(note.trim());
    if (signOut) await c.signOut();
  });
  const shift = s.shift!;
  return (
    <SheetFrame title={t('tablet.endShift')} onClose={props.onClose}>
      <p class="t-hint">
        {formatLocal(shift.startedAt, s.device!.compound.timezone)} · {t('tablet.countIn', { n: shift.counts.in })} · {t('tablet.countOut', { n: shift.counts.out })} ·{' '}
        {t('tablet.countDenied', { n: shift.counts.denied })}
      </p>
      <label class="t-label">
        {t('tablet.handover')}
        <textarea class="t-input" name="handover" rows={4} placeholder={t('tablet.handoverHint')} value={note} onInput={(e) => setNote(e.currentTarget.value)} maxLength={2000} />
      </label>
      <ErrorBox error={end.error} />
      <div class="t-row">
        <button type="button" class="t-big" disabled={end.busy} onClick={() => end.run(false)}>
          {t('tablet.endShift')}
        </button>
        <button type="button" class="t-big t-primary" disabled={end.busy} onClick={() => end.run(true)}>
          {t('tablet.endAndSignOut')}
        </button>
      </div>
    </SheetFrame>
  );
}

function SyncSheet(props: { onClose: () => void }) {
  const { t } = useI18n();
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
      {s.sync.lastError && <p class="t-warn">{s.sync.lastError}</p>}
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
                {formatLocal(Date.parse(r.at), tz)} · {r.kind} · {r.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </SheetFrame>
  );
}
