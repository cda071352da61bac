import { reasonText, VERDICT_WORDS } from '../../../server/core/i18n';
import { useI18n } from '../i18n';
import type { LocalDecision } from './gate';
import { TemperatureLine } from './temperature';

/** The test as seen (a missing one is already a reason on the screen). */
function testLine(d: LocalDecision, t: ReturnType<typeof useI18n>['t']) {
  return d.test ? t(`tablet.test.${d.test.result}`, { h: d.test.ageHours }) : '';
}

/** The verdict, full screen: tap it to go back to scanning; a deny or review the policy allows can be overridden. */
export function VerdictView(props: { d: LocalDecision; tz: string; onDismiss: () => void; onOverride: () => void }) {
  const { t, lang } = useI18n();
  const { d } = props;
  const word = VERDICT_WORDS[d.verdict][lang === 'zh' ? 0 : 1];
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
      <TemperatureLine d={d} />
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
