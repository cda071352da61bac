import { reasonText, skew, VERDICT_WORDS } from '../../../server/core/i18n';
import { maskName, maskPhone } from '../../../server/core/mask';
import { zonedTime } from '../../../server/core/time';
import { useI18n } from '../i18n';
import type { LocalDecision } from './gate';
import { TemperatureLine } from './temperature';
import type { ShownVerdict } from './types';

/**
 * A shape per verdict, so that no one has to tell green from red: ✓ in a circle, ✕ in an octagon (a stop
 * sign), ? in a triangle. White on the verdict's own background; drawn, so it looks the same on every tablet.
 */
export function VerdictShape(props: { verdict: LocalDecision['verdict']; label: string }) {
  const common = { class: 't-verdict-shape', viewBox: '0 0 100 100', role: 'img', 'data-shape': props.verdict } as const;
  const line = { fill: 'none', stroke: 'currentColor', 'stroke-width': 9, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' } as const;
  switch (props.verdict) {
    case 'allow':
      return (
        <svg {...common}>
          <title>{props.label}</title>
          <circle cx="50" cy="50" r="44" {...line} />
          <path d="M28 52 L44 68 L73 35" {...line} stroke-width={11} />
        </svg>
      );
    case 'deny':
      return (
        <svg {...common}>
          <title>{props.label}</title>
          <polygon points="31,4 69,4 96,31 96,69 69,96 31,96 4,69 4,31" {...line} />
          <path d="M33 33 L67 67 M67 33 L33 67" {...line} stroke-width={11} />
        </svg>
      );
    case 'review':
      return (
        <svg {...common}>
          <title>{props.label}</title>
          <polygon points="50,6 95,90 5,90" {...line} />
          <text x="50" y="80" text-anchor="middle" font-size="52" font-weight="900" fill="currentColor">
            ?
          </text>
        </svg>
      );
  }
}

/** The test as seen (a missing one is already a reason on the screen). */
function testLine(d: LocalDecision, t: ReturnType<typeof useI18n>['t']) {
  if (!d.test) return '';
  // A visitor's test is what the volunteer read off their phone (within 48 hours, say), not an exact age.
  const within = d.subject.kind === 'visitor' ? d.subject.test?.within : undefined;
  if (within !== undefined) return t(`tablet.visitorTestLine.${d.test.result}`) + ' · ' + (within === null ? t('tablet.visitorAge.longer') : t('tablet.visitorAge.within', { h: within }));
  return t(`tablet.test.${d.test.result}`, { h: d.test.ageHours });
}

/**
 * The verdict, full screen: tap it to go back to scanning; a deny or review the policy allows can be
 * overridden. The same person again within the repeat window sees their verdict again, marked 刚刚已核验.
 */
export function VerdictView(props: { shown: ShownVerdict; tz: string; onDismiss: () => void; onOverride: () => void }) {
  const { t, lang } = useI18n();
  const { decision: d, repeatOf, overridden } = props.shown;
  const word = VERDICT_WORDS[d.verdict][lang === 'zh' ? 0 : 1];
  return (
    <div class={`t-verdict v-${d.verdict}`} data-testid="verdict" data-verdict={d.verdict} data-repeat={repeatOf !== undefined} role="alert" onClick={props.onDismiss}>
      {repeatOf !== undefined && (
        <div class="t-verdict-repeat" data-testid="verdict-repeat">
          {t(overridden ? 'tablet.repeatOverridden' : 'tablet.repeat', { t: zonedTime(repeatOf, props.tz) })}
        </div>
      )}
      <div class="t-verdict-head">
        <VerdictShape verdict={d.verdict} label={word} />
        <div class="t-verdict-word">{word}</div>
      </div>
      {d.subject.kind === 'visitor' && (
        <div class="t-verdict-person">
          <span class="t-verdict-name">
            {t('tablet.visitorTag')} {maskName(d.subject.visitor.name)}
          </span>
          <span>
            {maskPhone(d.subject.visitor.phone)} · {d.subject.visitor.reason}
          </span>
        </div>
      )}
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
      {d.phoneSkewSeconds !== undefined && (
        // The phone's clock as this tablet sees it: said even within the tolerance, never silently taken.
        <div class="t-verdict-skew" data-skew={d.phoneSkewSeconds}>
          {Math.abs(d.phoneSkewSeconds) < 15 ? t('tablet.phoneSkew.none') : t(d.phoneSkewSeconds > 0 ? 'tablet.phoneSkew.behind' : 'tablet.phoneSkew.ahead', { s: skew(d.phoneSkewSeconds, lang === 'zh') })}
        </div>
      )}
      {d.reasons.length > 0 && (
        <ul class="t-verdict-reasons">
          {d.reasons.map((r) => (
            <li key={r.code}>{reasonText(r, lang, props.tz, Date.now())}</li>
          ))}
        </ul>
      )}
      <div class="t-verdict-actions">
        {d.verdict !== 'allow' && d.canOverride && !overridden && (
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
