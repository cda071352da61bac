import { useState } from 'preact/hooks';
import { maskPhone } from '../../../server/core/mask';
import { useI18n } from '../i18n';
import { ErrorBox, useAction } from '../ui/kit';
import { useTablet } from './context';
import { SheetFrame } from './sheet-frame';

/** A visitor registered at the gate: name, phone, why, and whom they visit (the phone shown masked). */
export function VisitorSheet(props: { onClose: () => void; onDone: () => void }) {
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
