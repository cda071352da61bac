import { useState } from 'preact/hooks';
import type { Direction } from '../../../server/core/decide';
import { PHONE_PATTERN } from '../../../server/core/mask';
import { useI18n } from '../i18n';
import { ErrorBox, useAction } from '../ui/kit';
import { useTablet } from './context';
import type { VisitorTest } from './gate';
import { SheetFrame } from './sheet-frame';

type TestShown = 'negative' | 'positive' | 'pending' | 'none';
const HOUR = 3_600_000;
/**
 * How long ago the test on the phone was sampled, as phones show it: within 24, 48, 72 hours (those inside
 * the policy's validity), within the validity itself, or longer than it (null).
 */
const withinChoices = (validHours: number): (number | null)[] => [...new Set([...[24, 48, 72].filter((h) => h < validHours), validHours]), null];

/**
 * A visitor at the gate: name, phone, why, whom they visit, which way, and the test their phone shows.
 * Decided like everyone (the same rules, the visitor part of the policy): the verdict goes on screen, to
 * be let through, turned back or overridden like any other.
 */
export function VisitorSheet(props: { onClose: () => void; onDecided: () => void }) {
  const { t } = useI18n();
  const { c, s } = useTablet();
  const roster = c.roster.state;
  const rules = roster?.policy.rules;
  const reasons = t('tablet.visitorReasons').split('|');
  const [f, setF] = useState({ name: '', phone: '', reason: reasons[0]!, buildingId: roster?.buildings[0]?.id ?? 0, unit: '', room: '' });
  const validHours = rules?.testValidityHours ?? 48;
  const [direction, setDirection] = useState<Direction>(s.shift!.direction);
  const [test, setTest] = useState<TestShown | null>(null);
  const [within, setWithin] = useState<number | null | undefined>(undefined);
  const needsAge = test === 'negative' || test === 'pending';
  const check = useAction(async () => {
    const phone = f.phone.replace(/[\s-]/g, '');
    if (!PHONE_PATTERN.test(phone)) throw new Error(t('tablet.visitorPhoneInvalid'));
    // The host household: building and room, and the unit where two units have that room number.
    const hosts = f.room.trim() ? [...(roster?.households.values() ?? [])].filter((h) => h.buildingId === f.buildingId && h.room === f.room.trim() && (!f.unit.trim() || h.unit === f.unit.trim())) : [];
    if (f.room.trim() && !hosts.length) throw new Error(t('tablet.noMatch'));
    if (hosts.length > 1) throw new Error(t('tablet.hostUnitNeeded', { units: hosts.map((h) => h.unit).join('、') }));
    const host = hosts[0];
    if (test === null) throw new Error(t('tablet.visitorTestNeeded'));
    if (needsAge && within === undefined) throw new Error(t('tablet.visitorAgeNeeded'));
    const now = Math.floor(Date.now());
    // "Within 48 hours" is taken at its edge, sampled just inside it; "longer" just outside the validity.
    const age = within === null ? validHours * HOUR + 60_000 : (within ?? 0) * HOUR - 60_000;
    const shown: VisitorTest | null = test === 'none' ? null : { result: test, sampledAt: now - (needsAge ? age : 0), within: needsAge ? within : undefined };
    await c.checkVisitor({ name: f.name.trim(), phone, reason: f.reason, hostHouseholdId: host?.id ?? null }, shown, direction);
    props.onDecided();
  });
  const chip = (on: boolean) => `t-chip ${on ? 'on' : ''}`;
  return (
    <SheetFrame title={t('tablet.visitor')} onClose={props.onClose}>
      <form
        class="t-form"
        onSubmit={(e) => {
          e.preventDefault();
          void check.run();
        }}
      >
        <div class="t-seg t-visitor-direction" role="radiogroup" aria-label={t('tablet.direction')}>
          {(['in', 'out'] as const).map((d) => (
            <button type="button" key={d} role="radio" aria-checked={direction === d} class={direction === d ? 'on' : ''} onClick={() => setDirection(d)}>
              {t(`tablet.visitor.${d}`)}
            </button>
          ))}
        </div>
        <label class="t-label">
          {t('tablet.visitorName')}
          <input class="t-input" name="visitorName" value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} required maxLength={40} />
        </label>
        <label class="t-label">
          {t('tablet.visitorPhone')}
          <input class="t-input" name="visitorPhone" type="tel" inputMode="tel" value={f.phone} onInput={(e) => setF({ ...f, phone: e.currentTarget.value })} required pattern="\+?[0-9 \-]{6,20}" />
        </label>
        <div class="t-label">
          {t('tablet.visitorReason')}
          <div class="t-chips">
            {reasons.map((r) => (
              <button type="button" key={r} class={chip(f.reason === r)} onClick={() => setF({ ...f, reason: r })}>
                {r}
              </button>
            ))}
          </div>
        </div>
        <div class="t-label">
          {t(rules?.visitors.requireHost === false ? 'tablet.hostOptional' : 'tablet.hostRequired')}
          <div class="t-row">
            <select class="t-input" name="hostBuilding" value={f.buildingId} onChange={(e) => setF({ ...f, buildingId: Number(e.currentTarget.value) })}>
              {roster?.buildings.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
            <input class="t-input t-narrow" name="hostUnit" inputMode="numeric" placeholder={t('tablet.unit')} value={f.unit} onInput={(e) => setF({ ...f, unit: e.currentTarget.value })} />
            <input class="t-input" name="hostRoom" inputMode="numeric" placeholder={t('tablet.room')} value={f.room} onInput={(e) => setF({ ...f, room: e.currentTarget.value })} />
          </div>
        </div>
        <div class="t-label" data-testid="visitor-test">
          {t(rules?.visitors.requireTest === false ? 'tablet.visitorTestOptional' : 'tablet.visitorTest', { h: rules?.testValidityHours ?? 48 })}
          <div class="t-chips">
            {(['negative', 'pending', 'positive', 'none'] as const).map((r) => (
              <button type="button" key={r} name={`test-${r}`} class={chip(test === r)} onClick={() => setTest(r)}>
                {t(`tablet.visitorTest.${r}`)}
              </button>
            ))}
          </div>
          {needsAge && (
            <div class="t-chips">
              {withinChoices(validHours).map((h) => (
                <button type="button" key={String(h)} name={`within-${h ?? 'more'}`} class={chip(within === h)} onClick={() => setWithin(h)}>
                  {h === null ? t('tablet.visitorAge.more', { h: validHours }) : t('tablet.visitorAge.within', { h })}
                </button>
              ))}
            </div>
          )}
        </div>
        <ErrorBox error={check.error} />
        <button type="submit" class="t-big t-primary" disabled={check.busy}>
          {t('tablet.visitorCheck')}
        </button>
      </form>
    </SheetFrame>
  );
}
