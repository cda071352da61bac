/**
 * The phone page's words, zh-CN first. Its own small table (not the tablet's and office's dictionary), so
 * the page stays small for an old phone on a slow network.
 */
export type PhoneLang = 'zh' | 'en';

const TEXT = {
  title: ['住户通行码', 'Resident pass'],
  none: ['本机尚未启用通行码。请扫描通行卡或物业提供的激活码。', 'This phone has no pass yet. Scan the activation code on your pass card or from the property office.'],
  activateTitle: ['在本机启用手机通行码', 'Use this phone as your pass'],
  compound: ['小区', 'Compound'],
  address: ['住址', 'Address'],
  room: ['{building} {unit}单元{room}', '{building} unit {unit}, room {room}'],
  name: ['姓名', 'Name'],
  activateNote: ['启用后，本机生成专属密钥，门岗凭每15秒更新的动态码核验；截图无效。一个通行码同一时间只能绑定一部手机。', 'This phone makes its own key; the gate checks a code that changes every few seconds, so a screenshot does not work. A pass is bound to one phone at a time.'],
  activateButton: ['启用', 'Activate'],
  qrLabel: ['手机动态通行码', 'Rotating phone pass'],
  refreshIn: ['动态码 · {s} 秒后更新', 'Live code · changes in {s} s'],
  passNote: ['请向门岗出示本页的实时码（无需联网）。', 'Show this live code at the gate (no network needed).'],
  offline: ['离线 · 以下为{age}的信息', 'Offline · information from {age}'],
  justNow: ['刚刚', 'just now'],
  minutesAgo: ['{m}分钟前', '{m} min ago'],
  noCopy: ['离线，暂无本机保存的信息。', 'Offline, and nothing saved on this phone yet.'],
  statusTitle: ['我的出行信息', 'My status'],
  test: ['核酸', 'Test'],
  testNone: ['无记录', 'None on record'],
  testPositive: ['阳性，请联系社区', 'Positive: contact the community'],
  testPending: ['结果待出', 'Result pending'],
  testValidUntil: ['阴性，有效至 {until}', 'Negative, valid until {until}'],
  testExpired: ['已过期（{at} 采样）', 'Expired (sampled {at})'],
  goOut: ['本户外出', 'Household going out'],
  goOutToday: ['今天可以外出', 'May go out today'],
  goOutNext: ['今天不可外出，下次可外出：{date}', 'Not today; next on {date}'],
  quota: ['本周期外出', 'Exits this period'],
  quotaUsed: ['已用 {used}/{allowed} 次（每{days}天）', '{used} of {allowed} used (every {days} days)'],
  quarantine: ['居家隔离', 'Home quarantine'],
  quarantineUntil: ['隔离至 {until}', 'Until {until}'],
  quarantineNone: ['无', 'None'],
  passages: ['我的最近通行', 'My last passages'],
  noPassages: ['暂无通行记录', 'No passages yet'],
  in: ['进', 'in'],
  out: ['出', 'out'],
  updated: ['数据时间 {at}', 'As of {at}'],
  ok: ['好的', 'OK'],
} as const satisfies Record<string, [string, string]>;

export function phoneText(lang: PhoneLang, key: keyof typeof TEXT, vars: Record<string, string | number> = {}): string {
  return TEXT[key][lang === 'zh' ? 0 : 1].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function savedPhoneLang(): PhoneLang {
  try {
    return localStorage.getItem('gp.phone.lang') === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}
export function savePhoneLang(lang: PhoneLang): void {
  try {
    localStorage.setItem('gp.phone.lang', lang);
  } catch {
    // private mode: the choice lasts this visit
  }
}
