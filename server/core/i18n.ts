import type { Reason, ReasonCode } from './reasons.js';
import { zonedDate, zonedTime } from './time.js';

/** Words for the shared domain (reasons, verdicts, directions) in both UI languages. */
export type Lang = 'zh' | 'en';

const md = (date: string) => date.slice(5); // 2026-12-28 -> 12-28

function when(ms: number, tz: string, now?: number): string {
  const day = zonedDate(ms, tz);
  const today = now === undefined ? undefined : zonedDate(now, tz);
  return day === today ? zonedTime(ms, tz) : `${md(day)} ${zonedTime(ms, tz)}`;
}

/** A reason in plain words: "核酸已超时：52小时前采样（有效期48小时）". */
export function reasonText(r: Reason, lang: Lang, tz: string, now?: number): string {
  const zh = lang === 'zh';
  switch (r.code) {
    case 'code_invalid':
      return zh ? '不是本系统的通行码' : 'Not a Gatepost pass';
    case 'code_forged':
      return zh ? '通行码签名无效，疑似伪造' : 'Signature does not match: possibly forged';
    case 'code_foreign':
      return zh ? '其他小区的通行码' : 'A pass of another compound';
    case 'pass_revoked':
      return zh ? '通行码已作废' : 'This pass has been revoked';
    case 'pass_unknown':
      return zh ? '新发放的通行码，本机名单尚未更新，请人工核验' : 'Pass issued after this tablet’s roster: check the person by hand';
    case 'person_unknown':
      return zh ? '名单中查无此人' : 'Not on the roster';
    case 'test_missing':
      return zh ? '无核酸检测记录' : 'No test result on record';
    case 'test_expired':
      return zh
        ? `核酸已超时：${r.ageHours}小时前采样（有效期${r.validHours}小时）`
        : `Test expired: sampled ${r.ageHours} h ago (valid ${r.validHours} h)`;
    case 'test_positive':
      return zh ? '核酸结果阳性' : 'Test result positive';
    case 'test_pending':
      return zh ? '核酸结果待出' : 'Test result pending';
    case 'round_untested':
      return zh ? `本轮未检：${r.round}尚无采样记录` : `Not tested in this round (${r.round})`;
    case 'household_quarantined':
      return zh ? `该户居家隔离至${md(r.until)}，不能外出` : `Household under home quarantine until ${md(r.until)}: no exit`;
    case 'quarantine_entry':
      return zh ? `该户居家隔离至${md(r.until)}，请核实` : `Household under home quarantine until ${md(r.until)}: check`;
    case 'visitor_no_host':
      return zh ? '访客须登记被访住户' : 'A visitor needs a host household';
    case 'host_quarantined':
      return zh ? `被访住户居家隔离至${md(r.until)}，谢绝来访` : `The host household is under home quarantine until ${md(r.until)}: no visits`;
    case 'exit_quota_used':
      return zh
        ? `本户本周期外出次数已用完（${r.used}/${r.allowed}），下次可外出：${md(r.nextDate)}`
        : `Household exit quota used (${r.used} of ${r.allowed}); next exit on ${md(r.nextDate)}`;
    case 'already_inside':
      return zh ? `已在小区内（${when(r.since, tz, now)}进入）` : `Already inside (entered ${when(r.since, tz, now)})`;
    case 'already_outside':
      return zh ? `已外出（${when(r.since, tz, now)}离开）` : `Already outside (left ${when(r.since, tz, now)})`;
    case 'fever':
      return zh ? `体温异常 ${r.temperatureC.toFixed(1)} °C（${r.thresholdC.toFixed(1)} °C 及以上不得通行）` : `Fever ${r.temperatureC.toFixed(1)} °C (${r.thresholdC.toFixed(1)} °C or above may not pass)`;
    case 'temperature_missing':
      return zh ? '未测体温，请测量' : 'No temperature taken: take it';
    case 'phone_key_wrong':
      return zh ? '动态码不是本通行码绑定的手机生成的' : 'The code was not made by the phone bound to this pass';
    case 'static_card_refused':
      return zh ? '本小区须出示手机动态码，纸质通行码不再有效' : 'This compound needs the phone pass: printed cards are no longer accepted';
    case 'phone_code_expired':
      return zh ? `动态码已过期，请出示实时码（${skew(r.skewSeconds, zh)}前的码）` : `The code has expired: show the live one (a code from ${skew(r.skewSeconds, zh)} ago)`;
    case 'phone_clock_ahead':
      return zh ? `手机时间比本机快${skew(-r.skewSeconds, zh)}，请核对手机时间` : `The phone’s clock is ${skew(-r.skewSeconds, zh)} ahead of this tablet: check its time`;
    case 'phone_unknown':
      return zh ? '此手机通行码本机名单尚未收到，请人工核验' : 'This phone pass is not in this tablet’s roster yet: check the person by hand';
    case 'roster_stale': {
      const h = (m: number) => (m >= 120 ? `${Math.floor(m / 60)}${zh ? '小时' : ' h'}` : `${m}${zh ? '分钟' : ' min'}`);
      return zh
        ? `本机名单已${h(r.ageMinutes)}未更新（上限${h(r.limitMinutes)}），请人工核验`
        : `Roster is ${h(r.ageMinutes)} old (limit ${h(r.limitMinutes)}): check by hand`;
    }
  }
}

/** A clock difference in words: "45秒", "2分钟", "3小时". */
export function skew(seconds: number, zh: boolean): string {
  const s = Math.abs(seconds);
  if (s < 120) return zh ? `${s}秒` : `${s} s`;
  if (s < 7200) return zh ? `${Math.floor(s / 60)}分钟` : `${Math.floor(s / 60)} min`;
  return zh ? `${Math.floor(s / 3600)}小时` : `${Math.floor(s / 3600)} h`;
}

/** Short labels for a reason code (filters, charts, report columns). */
export const REASON_LABELS: Record<ReasonCode, [string, string]> = {
  code_invalid: ['无效码', 'Invalid code'],
  code_forged: ['伪造码', 'Forged code'],
  code_foreign: ['外小区码', 'Other compound'],
  pass_revoked: ['已作废', 'Revoked pass'],
  pass_unknown: ['新码待核', 'New pass'],
  person_unknown: ['查无此人', 'Unknown person'],
  test_missing: ['无核酸', 'No test'],
  test_expired: ['核酸超时', 'Test expired'],
  test_positive: ['核酸阳性', 'Test positive'],
  test_pending: ['核酸待出', 'Test pending'],
  round_untested: ['本轮未检', 'Not tested this round'],
  household_quarantined: ['居家隔离', 'Quarantined'],
  quarantine_entry: ['隔离户进入', 'Quarantine entry'],
  exit_quota_used: ['外出超额', 'Exit quota used'],
  already_inside: ['重复进入', 'Already inside'],
  already_outside: ['重复外出', 'Already outside'],
  visitor_no_host: ['访客无被访户', 'Visitor without host'],
  host_quarantined: ['被访户隔离', 'Host quarantined'],
  roster_stale: ['名单过期', 'Roster stale'],
  fever: ['体温异常', 'Fever'],
  temperature_missing: ['未测体温', 'No temperature'],
  phone_key_wrong: ['非绑定手机', 'Wrong phone'],
  static_card_refused: ['纸质码停用', 'Printed card refused'],
  phone_code_expired: ['动态码过期', 'Phone code expired'],
  phone_clock_ahead: ['手机时间超前', 'Phone clock ahead'],
  phone_unknown: ['手机码待核', 'Phone pass unknown'],
};

/** A temperature as people write it: "37.8 °C". */
export const formatTemperature = (c: number) => `${c.toFixed(1)} °C`;

export function reasonLabel(code: string, lang: Lang): string {
  const pair = REASON_LABELS[code as ReasonCode];
  return pair ? pair[lang === 'zh' ? 0 : 1] : code;
}

export const VERDICT_WORDS = {
  allow: ['通行', 'Allow'],
  deny: ['禁止', 'Deny'],
  review: ['人工核验', 'Check'],
} as const;

export const DIRECTION_WORDS = { in: ['进', 'In'], out: ['出', 'Out'] } as const;
