import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { type PhonePassRules, phonePassRules } from '../../../../server/core/phone-code';
import { type PolicyRules, type TemperatureRules, temperatureRules } from '../../../../server/core/policy';
import { OVERRIDABLE_REASONS } from '../../../../server/core/reasons';
import { call, client, type Data } from '../../client';
import { useI18n } from '../../i18n';
import { ErrorBox, Field, Form, Loading, useAction, useLoad } from '../../ui/kit';
import { useReasonLabel, useToday } from '../format';
import type { Compound } from '../types';
import { DateField } from '../../ui/date-field';

const policyRoute = client.api.compounds[':cid'].policy;
type PolicyVersion = Data<typeof policyRoute.$get>['versions'][number];

const VALIDITY = [24, 48, 72];

/** The overridable reasons in one fixed order, so that order alone is never a change. */
const inOrder = (codes: readonly string[]) => OVERRIDABLE_REASONS.filter((c) => codes.includes(c));
const same = (a: PolicyRules, b: PolicyRules) => JSON.stringify({ ...a, overridable: inOrder(a.overridable) }) === JSON.stringify({ ...b, overridable: inOrder(b.overridable) });

/** The compound's pass rules as a form (saving stores a new version), and every earlier version. */
export function PolicyTab(props: { compound: Compound; manage: boolean }) {
  const { t } = useI18n();
  const cid = String(props.compound.id);
  const policy = useLoad(() => call(policyRoute.$get({ param: { cid } })), [cid]);
  // The API names who made a version by user id; the users list (where we may read it) gives the name.
  const users = useLoad(
    () => call(client.api.users.$get()).then((r) => new Map(r.users.map((u) => [u.id, u.displayName]))),
    [],
  );
  const [draft, setDraft] = useState<PolicyRules | null>(null);
  const [formKey, setFormKey] = useState(0);
  const who = (id: number | null) => (id === null ? t('policy.system') : (users.data?.get(id) ?? `#${id}`));

  if (policy.error) return <ErrorBox error={policy.error} />;
  if (!policy.data) return <Loading />;
  const { current, versions } = policy.data;
  return (
    <div class="roster policy">
      <p class="policy-current">
        {t('policy.current', { v: current.version })} · <Stamp v={current} tz={props.compound.timezone} who={who} />
      </p>
      <PolicyForm
        key={`${current.version}-${formKey}`}
        cid={cid}
        rules={draft ?? current.rules}
        base={current.rules}
        tz={props.compound.timezone}
        manage={props.manage}
        onSaved={() => {
          setDraft(null);
          policy.reload();
        }}
        onReset={() => {
          setDraft(null);
          setFormKey((k) => k + 1);
        }}
      />
      <h2>{t('policy.versions')}</h2>
      <VersionList
        versions={versions}
        tz={props.compound.timezone}
        who={who}
        onUse={
          props.manage
            ? (v) => {
                setDraft(v.rules);
                setFormKey((k) => k + 1);
                window.scrollTo({ top: 0, behavior: 'smooth' });
              }
            : undefined
        }
      />
    </div>
  );
}

function Stamp(props: { v: PolicyVersion; tz: string; who: (id: number | null) => string }) {
  const { dateTime } = useI18n();
  return (
    <span class="muted">
      {dateTime(props.v.createdAt, props.tz)} · {props.who(props.v.createdBy)}
      {props.v.note && ` · ${props.v.note}`}
    </span>
  );
}

function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; name: string }) {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      {props.label}
    </label>
  );
}

function Section(props: { title: string; children: ComponentChildren }) {
  return (
    <fieldset class="policy-section">
      <legend>{props.title}</legend>
      {props.children}
    </fieldset>
  );
}

function PolicyForm(props: { cid: string; rules: PolicyRules; base: PolicyRules; tz: string; manage: boolean; onSaved: () => void; onReset: () => void }) {
  const { t } = useI18n();
  const label = useReasonLabel();
  const today = useToday(props.tz);
  const [r, setR] = useState<PolicyRules>(props.rules);
  const [note, setNote] = useState('');
  const dirty = !same(r, props.base);
  const save = useAction(async () => {
    await call(policyRoute.$put({ param: { cid: props.cid }, json: { rules: r, note: note.trim() || undefined } }));
    props.onSaved();
  });
  const quota = r.exitQuota;
  const setQuota = (q: Partial<NonNullable<PolicyRules['exitQuota']>>) => setR({ ...r, exitQuota: { ...quota!, ...q } });
  const validity = VALIDITY.includes(r.testValidityHours) ? VALIDITY : [...VALIDITY, r.testValidityHours].sort((a, b) => a - b);
  const temp = temperatureRules(r);
  const setTemp = (o: Partial<TemperatureRules>) => setR({ ...r, temperature: { ...temp, ...o } });
  const phonePass = phonePassRules(r);
  const setPhonePass = (o: Partial<PhonePassRules>) => setR({ ...r, phonePass: { ...phonePass, ...o } });
  const toggleOverride = (code: (typeof OVERRIDABLE_REASONS)[number], on: boolean) =>
    setR({ ...r, overridable: on ? OVERRIDABLE_REASONS.filter((c) => c === code || r.overridable.includes(c)) : r.overridable.filter((c) => c !== code) });

  return (
    <Form onSubmit={save.run} class="form policy-form">
      <fieldset disabled={!props.manage || save.busy} class="plain">
        <div class="policy-grid">
          <Section title={t('policy.tests')}>
            <Field label={t('policy.validity')}>
              <select name="testValidityHours" value={r.testValidityHours} onChange={(e) => setR({ ...r, testValidityHours: Number(e.currentTarget.value) })}>
                {validity.map((h) => (
                  <option key={h} value={h}>
                    {t('policy.hours', { n: h })}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('policy.roundRule')} hint={t('policy.roundRuleHint')}>
              <select name="roundRule" value={r.roundRule ?? 'window'} onChange={(e) => setR({ ...r, roundRule: e.currentTarget.value as 'window' | 'round' | 'both' })}>
                {(['window', 'round', 'both'] as const).map((k) => (
                  <option key={k} value={k}>
                    {t(`policy.roundRule.${k}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Check name="entryTest" label={t('policy.entryTest')} checked={r.entry.requireTest} onChange={(v) => setR({ ...r, entry: { requireTest: v } })} />
            <Check name="exitTest" label={t('policy.exitTest')} checked={r.exit.requireTest} onChange={(v) => setR({ ...r, exit: { ...r.exit, requireTest: v } })} />
            <Check name="blockQuarantined" label={t('policy.blockQuarantined')} checked={r.exit.blockQuarantined} onChange={(v) => setR({ ...r, exit: { ...r.exit, blockQuarantined: v } })} />
          </Section>
          <Section title={t('policy.quota')}>
            <Check
              name="quotaOn"
              label={t('policy.quotaOn')}
              checked={!!quota}
              onChange={(v) => setR({ ...r, exitQuota: v ? (props.base.exitQuota ?? { exits: 1, days: 2, anchorDate: today }) : null })}
            />
            {quota && (
              <>
                <div class="form inline tight">
                  <Field label={t('policy.quotaExits')}>
                    <input name="quotaExits" type="number" min={1} max={20} required value={quota.exits} onInput={(e) => setQuota({ exits: Number(e.currentTarget.value) })} />
                  </Field>
                  <Field label={t('policy.quotaDays')}>
                    <input name="quotaDays" type="number" min={1} max={30} required value={quota.days} onInput={(e) => setQuota({ days: Number(e.currentTarget.value) })} />
                  </Field>
                  <Field label={t('policy.quotaAnchor')}>
                    <DateField name="quotaAnchor" required value={quota.anchorDate} onChange={(anchorDate) => setQuota({ anchorDate })} />
                  </Field>
                </div>
                <p class="muted hint">{t('policy.quotaSays', { exits: quota.exits, days: quota.days, date: quota.anchorDate })}</p>
              </>
            )}
          </Section>
          <Section title={t('policy.gate')}>
            <Check name="antiPassback" label={t('policy.antiPassback')} checked={r.antiPassback} onChange={(v) => setR({ ...r, antiPassback: v })} />
            <Field label={t('policy.rosterAge')} hint={t('policy.rosterAgeHint', { h: Math.round((r.maxRosterAgeMinutes / 60) * 10) / 10 })}>
              <input
                name="maxRosterAgeMinutes"
                type="number"
                min={5}
                max={10080}
                step={5}
                required
                value={r.maxRosterAgeMinutes}
                onInput={(e) => setR({ ...r, maxRosterAgeMinutes: Number(e.currentTarget.value) })}
              />
            </Field>
            <Field label={t('policy.repeatScan')} hint={t('policy.repeatScanHint')}>
              <input
                name="repeatScanSeconds"
                type="number"
                min={5}
                max={600}
                step={5}
                required
                value={r.repeatScanSeconds}
                onInput={(e) => setR({ ...r, repeatScanSeconds: Number(e.currentTarget.value) })}
              />
            </Field>
          </Section>
          <Section title={t('policy.visitors')}>
            <Check name="visitorTest" label={t('policy.visitorTest')} checked={r.visitors.requireTest} onChange={(v) => setR({ ...r, visitors: { ...r.visitors, requireTest: v } })} />
            <Check name="visitorHost" label={t('policy.visitorHost')} checked={r.visitors.requireHost} onChange={(v) => setR({ ...r, visitors: { ...r.visitors, requireHost: v } })} />
          </Section>
          <Section title={t('policy.temperature')}>
            <Check name="entryTemperature" label={t('policy.entryTemperature')} checked={temp.entry.required} onChange={(v) => setTemp({ entry: { required: v } })} />
            <Check name="exitTemperature" label={t('policy.exitTemperature')} checked={temp.exit.required} onChange={(v) => setTemp({ exit: { required: v } })} />
            <Field label={t('policy.feverC')} hint={t('policy.feverHint')}>
              <input name="feverC" type="number" min={35} max={42} step={0.1} required value={temp.feverC} onInput={(e) => setTemp({ feverC: Number(e.currentTarget.value) })} />
            </Field>
          </Section>
          <Section title={t('policy.phonePass')}>
            <Field label={t('policy.staticCards')}>
              <select name="staticCards" value={phonePass.staticCards} onChange={(e) => setPhonePass({ staticCards: e.currentTarget.value as PhonePassRules['staticCards'] })}>
                <option value="all">{t('policy.staticCards.all')}</option>
                <option value="no_phone">{t('policy.staticCards.no_phone')}</option>
                <option value="none">{t('policy.staticCards.none')}</option>
              </select>
            </Field>
            <div class="form inline tight">
              <Field label={t('policy.phoneStep')}>
                <input name="phoneStep" type="number" min={5} max={60} required value={phonePass.stepSeconds} onInput={(e) => setPhonePass({ stepSeconds: Number(e.currentTarget.value) })} />
              </Field>
              <Field label={t('policy.phoneTolerance')} hint={t('policy.phoneToleranceHint', { s: phonePass.stepSeconds * phonePass.toleranceSteps })}>
                <input name="phoneTolerance" type="number" min={0} max={10} required value={phonePass.toleranceSteps} onInput={(e) => setPhonePass({ toleranceSteps: Number(e.currentTarget.value) })} />
              </Field>
            </div>
          </Section>
          <Section title={t('policy.overridable')}>
            <p class="muted hint">{t('policy.overridableHint')}</p>
            <div class="checks">
              {OVERRIDABLE_REASONS.map((code) => (
                <Check key={code} name={`override-${code}`} label={label(code)} checked={r.overridable.includes(code)} onChange={(v) => toggleOverride(code, v)} />
              ))}
            </div>
          </Section>
        </div>
        {props.manage && (
          <div class="form inline policy-save">
            <Field label={t('policy.note')}>
              <input name="note" value={note} maxLength={200} placeholder={t('policy.noteHint')} onInput={(e) => setNote(e.currentTarget.value)} />
            </Field>
            <button type="submit" class="primary" disabled={!dirty || save.busy}>
              {t('policy.save')}
            </button>
            {dirty && (
              <button type="button" onClick={props.onReset}>
                {t('policy.reset')}
              </button>
            )}
          </div>
        )}
      </fieldset>
      {props.manage && <p class="muted hint">{t('policy.saveHint')}</p>}
      <ErrorBox error={save.error} />
    </Form>
  );
}

/** The rules in sentences: what a version said, and which of them changed from the one before. */
function usePolicyLines() {
  const { t } = useI18n();
  const label = useReasonLabel();
  return (r: PolicyRules): [string, string][] => [
    ['validity', t('policy.s.validity', { h: r.testValidityHours })],
    ['roundRule', t(`policy.s.roundRule.${r.roundRule ?? 'window'}`)],
    ['entry', r.entry.requireTest ? t('policy.s.entryTest') : t('policy.s.entryFree')],
    ['exit', r.exit.requireTest ? t('policy.s.exitTest') : t('policy.s.exitFree')],
    ['quarantine', r.exit.blockQuarantined ? t('policy.s.blockQuarantined') : t('policy.s.allowQuarantined')],
    ['quota', r.exitQuota ? t('policy.quotaSays', { exits: r.exitQuota.exits, days: r.exitQuota.days, date: r.exitQuota.anchorDate }) : t('policy.s.noQuota')],
    ['antiPassback', r.antiPassback ? t('policy.s.antiPassback') : t('policy.s.noAntiPassback')],
    ['overridable', r.overridable.length ? t('policy.s.overridable', { list: inOrder(r.overridable).map(label).join('、') }) : t('policy.s.noOverride')],
    ['roster', t('policy.s.rosterAge', { n: r.maxRosterAgeMinutes })],
    ['repeat', t('policy.s.repeatScan', { n: r.repeatScanSeconds })],
    ['visitors', t(r.visitors.requireTest ? (r.visitors.requireHost ? 'policy.s.visitorsBoth' : 'policy.s.visitorsTest') : r.visitors.requireHost ? 'policy.s.visitorsHost' : 'policy.s.visitorsFree')],
    ['temperature', temperatureLine(temperatureRules(r))],
    ['phonePass', t(`policy.s.staticCards.${phonePassRules(r).staticCards}`, { s: phonePassRules(r).stepSeconds, n: phonePassRules(r).toleranceSteps })],
  ];
  function temperatureLine(temp: TemperatureRules) {
    const where = temp.entry.required && temp.exit.required ? 'both' : temp.entry.required ? 'in' : temp.exit.required ? 'out' : null;
    return where ? t(`policy.s.temperature.${where}`, { c: temp.feverC.toFixed(1) }) : t('policy.s.noTemperature', { c: temp.feverC.toFixed(1) });
  }
}

function VersionList(props: { versions: PolicyVersion[]; tz: string; who: (id: number | null) => string; onUse: ((v: PolicyVersion) => void) | undefined }) {
  const { t, dateTime } = useI18n();
  const lines = usePolicyLines();
  const [open, setOpen] = useState<number | null>(null);
  return (
    <div class="table-wrap">
      <table class="table roster-table" data-testid="policy-versions">
        <thead>
          <tr>
            <th>{t('policy.version')}</th>
            <th>{t('time')}</th>
            <th>{t('who')}</th>
            <th>{t('policy.note')}</th>
            <th>{t('actions')}</th>
          </tr>
        </thead>
        <tbody>
          {props.versions.map((v, i) => {
            const before = props.versions[i + 1];
            const was = new Map(before ? lines(before.rules) : []);
            return [
              <tr key={v.version} class={open === v.version ? 'open' : ''}>
                <td>
                  <strong>v{v.version}</strong> {i === 0 && <span class="badge ok">{t('policy.inForce')}</span>}
                </td>
                <td class="nowrap">{dateTime(v.createdAt, props.tz)}</td>
                <td>{props.who(v.createdBy)}</td>
                <td>{v.note ?? <span class="muted">—</span>}</td>
                <td>
                  <button type="button" class="small" onClick={() => setOpen(open === v.version ? null : v.version)}>
                    {open === v.version ? t('close') : t('policy.view')}
                  </button>
                </td>
              </tr>,
              open === v.version && (
                <tr key={`${v.version}-rules`} class="editor-row">
                  <td colSpan={5}>
                    <ul class="policy-lines">
                      {lines(v.rules).map(([k, text]) => (
                        <li key={k} class={before && was.get(k) !== text ? 'changed' : ''}>
                          {text}
                          {before && was.get(k) !== text && <small class="muted"> ({t('policy.changedFrom', { was: was.get(k) ?? '' })})</small>}
                        </li>
                      ))}
                    </ul>
                    {props.onUse && i > 0 && (
                      <button type="button" class="small" onClick={() => props.onUse!(v)}>
                        {t('policy.useAsDraft')}
                      </button>
                    )}
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
