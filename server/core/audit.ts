import { type Lang, reasonLabel } from './i18n.js';
import { FIELD_NAMES, fieldName } from './messages.js';

/**
 * Every action the audit log records, and each as a sentence in both UI languages: "王主任 导出了门岗核验记录
 * （2026-11-01 至 2026-11-07，CSV）". recordAudit takes only these actions, so a new one needs its sentence
 * here (the unit test walks them all).
 */
export const AUDIT_ACTIONS = [
  'setup.admin_created',
  'login',
  'login.failed',
  'login.disabled',
  'logout',
  'pin_login',
  'pin_login.failed',
  'pin_login.disabled',
  'device.create',
  'device.new_code',
  'device.revoke',
  'device.enrolled',
  'device.enroll_failed',
  'user.create',
  'user.update',
  'user.unlock',
  'compound.create',
  'compound.update',
  'gate.create',
  'gate.update',
  'gate.delete',
  'building.create',
  'building.update',
  'building.delete',
  'point.create',
  'point.update',
  'point.delete',
  'policy.update',
  'disinfection.schedule',
  'disinfection.template',
  'gate_check.void',
  'gate_check.override',
  'conflict.review',
  'export',
  'pass.issue',
  'pass.issue_bulk',
  'pass.revoke',
  'pass.activation_link',
  'phone.activate',
  'phone.unbind',
  'resident.create',
  'resident.update',
  'resident.remove',
  'household.quarantine',
  'household.quarantine_end',
  'resident.import',
  'test_round.import',
  'test_result.record',
  'retention.update',
  'retention.purge',
  'backup.create',
  'lockdown.end',
  'round.create',
  'round.update',
  'exemption.set',
  'exemption.clear',
  'alert.positive',
  'alert.quarantine',
  'contacts.view',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One audit row as the log page has it. */
export interface AuditView {
  action: string;
  entityId: string | null;
  details: unknown;
  /** Who did it: the person, and the tablet they used (either may be missing). */
  userName: string | null;
  deviceName: string | null;
}

export interface AuditContext {
  /** A date-time as the page shows them (the office's zone). */
  dateTime: (iso: string) => string;
}

type D = Record<string, any>;
type Say = (d: D, id: string, c: AuditContext) => string;

const PLACES = { gate: ['门岗', 'gate'], building: ['楼栋', 'building'], point: ['点位', 'point'] } as const;
const ROLES: Record<string, [string, string]> = { admin: ['管理员', 'administrator'], supervisor: ['督导', 'supervisor'], manager: ['物业经理', 'manager'], volunteer: ['志愿者', 'volunteer'] };
const DATASETS: Record<string, [string, string]> = {
  'gate-checks': ['门岗核验记录', 'gate checks'],
  'daily-summaries': ['每日汇总', 'daily summaries'],
  disinfection: ['消杀记录', 'disinfection records'],
  shifts: ['班次日志', 'shift logs'],
  'door-to-door': ['上门核查名单', 'the door-to-door list'],
  'gate-contacts': ['门岗时空伴随名单', 'the gate contacts'],
  dossier: ['事件档案', 'the incident dossier'],
};
const EXEMPTIONS: Record<string, [string, string]> = { bedridden: ['卧床', 'bedridden'], infant: ['婴幼儿', 'infant'], away: ['不在小区', 'away'], other: ['其他', 'other'] };
const TARGETS: Record<string, [string, string]> = {
  building: ['楼栋', 'buildings'],
  'point:sampling': ['采样点', 'sampling points'],
  'point:gate': ['门岗亭', 'gate booths'],
  'point:other': ['其他点位', 'other points'],
};
const RESULTS: Record<string, [string, string]> = { negative: ['阴性', 'negative'], positive: ['阳性', 'positive'], pending: ['待出', 'pending'] };

const pick = (table: Record<string, readonly [string, string]>, key: unknown, lang: Lang) => {
  const pair = table[String(key)];
  return pair ? pair[lang === 'zh' ? 0 : 1] : String(key ?? '');
};
const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US') : String(x ?? 0));
/** What a change touched: its fields by name ("名称、楼层数"). */
const fields = (d: D, lang: Lang) =>
  Object.keys(d ?? {})
    .map((k) => (k in FIELD_NAMES ? fieldName(k, lang) : k))
    .join(lang === 'zh' ? '、' : ', ');
const quoted = (s: unknown, lang: Lang) => (lang === 'zh' ? `“${s ?? ''}”` : `"${s ?? ''}"`);
/** A free-text reason or note the person wrote, after the sentence. */
const said = (text: unknown, lang: Lang) => (text ? (lang === 'zh' ? `：${text}` : `: ${text}`) : '');

const place = (table: keyof typeof PLACES): Record<'create' | 'update' | 'delete', [Say, Say]> => ({
  create: [(d: D) => `添加了${PLACES[table][0]}${quoted(d.name, 'zh')}`, (d: D) => `added the ${PLACES[table][1]} ${quoted(d.name, 'en')}`],
  update: [(d: D, id: string) => `修改了${PLACES[table][0]} #${id}（${fields(d, 'zh')}）`, (d: D, id: string) => `changed ${PLACES[table][1]} #${id} (${fields(d, 'en')})`],
  delete: [(_: D, id: string) => `删除了${PLACES[table][0]} #${id}`, (_: D, id: string) => `deleted ${PLACES[table][1]} #${id}`],
});

function exported(d: D, c: AuditContext, lang: Lang): string {
  const zh = lang === 'zh';
  if (d.dataset === 'daily-report') return zh ? `打印了 ${d.date} 的小区日报` : `printed the daily report of ${d.date}`;
  if (d.dataset === 'dossier' && d.format === 'xlsx') {
    const from = c.dateTime(d.from);
    const to = c.dateTime(d.to);
    return zh ? `导出了楼栋 #${d.buildingId} 的事件档案（${from} 至 ${to}，XLSX）` : `exported the incident dossier of building #${d.buildingId} (${from} to ${to}, XLSX)`;
  }
  if (d.dataset === 'dossier') {
    const from = c.dateTime(d.from);
    const to = c.dateTime(d.to);
    return zh
      ? `打印了楼栋 #${d.buildingId} 的事件档案（${from} 至 ${to}，${n(d.passages)} 人次通行）`
      : `printed the incident dossier of building #${d.buildingId} (${from} to ${to}, ${n(d.passages)} passages)`;
  }
  if (d.dataset === 'door-to-door') {
    const where = `${d.building ?? `#${d.buildingId}`}${d.unit ? (zh ? `${d.unit}单元` : ` unit ${d.unit}`) : ''}`;
    return zh
      ? `${d.format === 'print' ? '打印' : '导出'}了${quoted(d.round, 'zh')} ${where} 的上门核查名单（${n(d.people)} 人，${String(d.format).toUpperCase()}${d.masked ? '，姓名已隐去' : ''}）`
      : `${d.format === 'print' ? 'printed' : 'exported'} the door-to-door list of ${where} for ${quoted(d.round, 'en')} (${n(d.people)} people, ${String(d.format).toUpperCase()}${d.masked ? ', names masked' : ''})`;
  }
  if (d.dataset === 'gate-contacts') {
    return zh
      ? `${d.format === 'print' ? '打印' : '导出'}了居民 #${d.residentId} 的门岗时空伴随名单（±${d.minutes} 分钟，${d.days} 天，${n(d.people)} 人，${String(d.format).toUpperCase()}）`
      : `${d.format === 'print' ? 'printed' : 'exported'} the gate contacts of resident #${d.residentId} (±${d.minutes} min, ${d.days} days, ${n(d.people)} people, ${String(d.format).toUpperCase()})`;
  }
  const what = pick(DATASETS, d.dataset, lang);
  const format = String(d.format ?? '').toUpperCase();
  return zh ? `导出了${what}（${d.from} 至 ${d.to}，${format}）` : `exported ${what} (${d.from} to ${d.to}, ${format})`;
}

const KEPT: Record<string, [string, string]> = { gateDays: ['通行记录', 'gate checks'], photoDays: ['消杀照片', 'photos'], testDays: ['核酸结果', 'test results'], recordDays: ['消杀记录和班次', 'disinfection records and shifts'] };
const retentionSet = (d: D, lang: Lang) =>
  Object.entries(d ?? {})
    .map(([k, v]) => (lang === 'zh' ? `${pick(KEPT, k, lang)}${v === null ? '恢复默认' : `保留 ${v} 天`}` : `${pick(KEPT, k, lang)} ${v === null ? 'back to the default' : `kept ${v} days`}`))
    .join(lang === 'zh' ? '，' : '; ');
const removed = (d: D, lang: Lang) => {
  const c = d.counts ?? {};
  return lang === 'zh'
    ? `通行记录 ${n(c.gateChecks)} 条（其中访客 ${n(c.visitors)}），照片 ${n(c.photos)} 张，核酸结果 ${n(c.testResults)} 条，消杀记录 ${n(c.disinfectionRecords)} 条，班次 ${n(c.shifts)} 个`
    : `${n(c.gateChecks)} gate checks (${n(c.visitors)} visitors), ${n(c.photos)} photos, ${n(c.testResults)} test results, ${n(c.disinfectionRecords)} disinfection records, ${n(c.shifts)} shifts`;
};

const SENTENCES: Record<AuditAction, [Say, Say]> = {
  'setup.admin_created': [() => '完成了初始设置，创建了管理员账号', () => 'set Gatepost up and created the administrator'],
  login: [() => '登录了办公室端', () => 'signed in at the office'],
  'login.failed': [(d) => `以用户名${quoted(d.username, 'zh')}登录失败（用户名或密码错误）`, (d) => `failed to sign in as ${quoted(d.username, 'en')} (wrong username or password)`],
  'login.disabled': [(d) => `以已停用的账号${quoted(d.username, 'zh')}尝试登录`, (d) => `tried to sign in as the disabled account ${quoted(d.username, 'en')}`],
  logout: [() => '退出了登录', () => 'signed out'],
  // Written by the tablet (the volunteer is the entity): "东门平板 上，志愿者 #5 登录".
  pin_login: [(_, id) => `上，志愿者 #${id} 登录`, (_, id) => `: volunteer #${id} signed in`],
  'pin_login.failed': [(d) => `用手机号 ${d.phone} 在平板上登录失败（手机号或PIN码错误）`, (d) => `failed to sign in on a tablet with phone ${d.phone} (wrong phone or PIN)`],
  'pin_login.disabled': [(d) => `用已停用的账号（手机号 ${d.phone}）在平板上尝试登录`, (d) => `tried to sign in on a tablet with the disabled account of phone ${d.phone}`],
  'device.create': [(_, id) => `登记了平板 #${id}`, (_, id) => `registered tablet #${id}`],
  'device.new_code': [(_, id) => `为平板 #${id} 生成了新的激活码`, (_, id) => `made a new enrollment code for tablet #${id}`],
  'device.revoke': [(_, id) => `吊销了平板 #${id}`, (_, id) => `revoked tablet #${id}`],
  'device.enrolled': [(_, id) => `激活了平板 #${id}`, (_, id) => `enrolled tablet #${id}`],
  'device.enroll_failed': [() => '用错误或过期的激活码激活平板失败', () => 'failed to enroll a tablet with a wrong or expired code'],
  'user.create': [
    (d) => `新建了${pick(ROLES, d.role, 'zh')}账号${quoted(d.displayName ?? d.username ?? d.phone, 'zh')}`,
    (d) => `created the ${pick(ROLES, d.role, 'en')} account ${quoted(d.displayName ?? d.username ?? d.phone, 'en')}`,
  ],
  'user.update': [(d, id) => `修改了用户 #${id}（${fields(d, 'zh')}）`, (d, id) => `changed user #${id} (${fields(d, 'en')})`],
  'user.unlock': [(_, id) => `解锁了用户 #${id}`, (_, id) => `unlocked user #${id}`],
  'compound.create': [(d) => `新建了小区${quoted(d.name, 'zh')}`, (d) => `created the compound ${quoted(d.name, 'en')}`],
  'compound.update': [(d) => `修改了小区（${fields(d, 'zh')}）`, (d) => `changed the compound (${fields(d, 'en')})`],
  'gate.create': place('gate').create,
  'gate.update': place('gate').update,
  'gate.delete': place('gate').delete,
  'building.create': place('building').create,
  'building.update': place('building').update,
  'building.delete': place('building').delete,
  'point.create': place('point').create,
  'point.update': place('point').update,
  'point.delete': place('point').delete,
  'policy.update': [(d, id) => `修改了防疫政策（第 ${id} 版）${said(d.note, 'zh')}`, (d, id) => `changed the policy (version ${id})${said(d.note, 'en')}`],
  'disinfection.schedule': [
    (d, _, c) => `调整了消杀时段为 ${(d.slots ?? []).map((s: D) => s.time).join('、')}，自 ${c.dateTime(d.effectiveFrom)} 起`,
    (d, _, c) => `set the disinfection slots to ${(d.slots ?? []).map((s: D) => s.time).join(', ')} from ${c.dateTime(d.effectiveFrom)}`,
  ],
  'disinfection.template': [
    (d, id) => `修改了${pick(TARGETS, id, 'zh')}的消杀项目（${n((d.items ?? []).length)} 项）`,
    (d, id) => `changed the checklist of ${pick(TARGETS, id, 'en')} (${n((d.items ?? []).length)} areas)`,
  ],
  'gate_check.void': [(d) => `作废了一条通行记录${said(d.reason, 'zh')}`, (d) => `voided a gate check${said(d.reason, 'en')}`],
  'gate_check.override': [
    (d, _, c) => `在 ${c.dateTime(d.at)} 人工放行（${(d.reasons ?? []).map((r: string) => reasonLabel(r, 'zh')).join('、')}）${said(d.reason, 'zh')}`,
    (d, _, c) => `let a person through by hand at ${c.dateTime(d.at)} (${(d.reasons ?? []).map((r: string) => reasonLabel(r, 'en')).join(', ')})${said(d.reason, 'en')}`,
  ],
  'conflict.review': [(d) => `核对了一条待核对记录${said(d.note, 'zh')}`, (d) => `reviewed a conflict${said(d.note, 'en')}`],
  export: [(d, _, c) => exported(d, c, 'zh'), (d, _, c) => exported(d, c, 'en')],
  'pass.issue': [(d) => `为居民 #${d.residentId} 发放了通行码`, (d) => `issued a pass to resident #${d.residentId}`],
  'pass.issue_bulk': [
    (d) => `${d.buildingId ? `为楼栋 #${d.buildingId} ` : ''}批量发放了 ${n(d.count)} 张通行码`,
    (d) => `issued ${n(d.count)} passes${d.buildingId ? ` for building #${d.buildingId}` : ''}`,
  ],
  'pass.revoke': [(d, id) => `作废了通行码 #${id}${said(d.reason, 'zh')}`, (d, id) => `revoked pass #${id}${said(d.reason, 'en')}`],
  'pass.activation_link': [
    (d, id) => (d.count ? `生成了 ${n(d.count)} 个手机激活码${d.buildingId ? `（楼栋 #${d.buildingId}）` : ''}` : `为通行码 #${id} 生成了手机激活码`),
    (d, id) => (d.count ? `made ${n(d.count)} phone activation codes${d.buildingId ? ` (building #${d.buildingId})` : ''}` : `made a phone activation code for pass #${id}`),
  ],
  'phone.activate': [
    (d, id) => `在手机上激活了通行码 #${id}${d.replaced ? '（替换了原绑定手机）' : ''}`,
    (d, id) => `activated pass #${id} on a phone${d.replaced ? ' (replacing the phone bound before)' : ''}`,
  ],
  'phone.unbind': [(d, id) => `解绑了通行码 #${id} 的手机${said(d.reason, 'zh')}`, (d, id) => `unbound the phone of pass #${id}${said(d.reason, 'en')}`],
  'resident.create': [(d) => `添加了居民${quoted(d.name, 'zh')}`, (d) => `added the resident ${quoted(d.name, 'en')}`],
  'resident.update': [(d, id) => `修改了居民 #${id}（${fields(d, 'zh')}）`, (d, id) => `changed resident #${id} (${fields(d, 'en')})`],
  'resident.remove': [(_, id) => `移除了居民 #${id}`, (_, id) => `removed resident #${id}`],
  'household.quarantine': [
    (d, id) => `将住户 #${id} 设为居家隔离，至 ${d.until}${said(d.note, 'zh')}`,
    (d, id) => `put household #${id} under home quarantine until ${d.until}${said(d.note, 'en')}`,
  ],
  'household.quarantine_end': [(_, id) => `解除了住户 #${id} 的居家隔离`, (_, id) => `ended the home quarantine of household #${id}`],
  'resident.import': [
    (d) => `导入了居民名单${quoted(d.file, 'zh')}：新增 ${n(d.created)}，更新 ${n(d.updated)}，未变 ${n(d.unchanged)}，跳过 ${n(d.rejected)} 行`,
    (d) => `imported the residents file ${quoted(d.file, 'en')}: ${n(d.created)} added, ${n(d.updated)} updated, ${n(d.unchanged)} unchanged, ${n(d.rejected)} rows skipped`,
  ],
  'test_round.import': [
    (d) => `导入了核酸结果${quoted(d.file, 'zh')}：${n(d.imported)} 条，${n(d.unmatched)} 行未匹配到居民，${n(d.rejected)} 行有误`,
    (d) => `imported the test results ${quoted(d.file, 'en')}: ${n(d.imported)} results, ${n(d.unmatched)} rows matched nobody, ${n(d.rejected)} malformed`,
  ],
  'retention.update': [(d) => `修改了数据保留期限（${retentionSet(d, 'zh')}）`, (d) => `changed the retention (${retentionSet(d, 'en')})`],
  'retention.purge': [(d) => `按保留期限删除了过期数据：${removed(d, 'zh')}`, (d) => `purged data past its retention: ${removed(d, 'en')}`],
  'backup.create': [(d) => `备份了数据库（${d.file}）`, (d) => `backed the database up (${d.file})`],
  'lockdown.end': [
    (d) => `结束了${d.compoundName ? quoted(d.compoundName, 'zh') : '全区'}的防疫管控期并销毁个人数据：${removed(d, 'zh')}（证明 ${d.certificateId}）`,
    (d) => `ended the epidemic-control period of ${d.compoundName ? quoted(d.compoundName, 'en') : 'the whole district'} and deleted its personal data: ${removed(d, 'en')} (certificate ${d.certificateId})`,
  ],
  'test_result.record': [
    (d) => `为居民 #${d.residentId} 登记了核酸结果：${pick(RESULTS, d.result, 'zh')}`,
    (d) => `recorded a test result for resident #${d.residentId}: ${pick(RESULTS, d.result, 'en')}`,
  ],
  'round.create': [
    (d) => `新建了核酸轮次${quoted(d.name, 'zh')}（${d.startsOn} 至 ${d.endsOn}）`,
    (d) => `created the testing round ${quoted(d.name, 'en')} (${d.startsOn} to ${d.endsOn})`,
  ],
  'round.update': [(d, id) => `修改了核酸轮次 #${id}（${fields(d, 'zh')}）`, (d, id) => `changed testing round #${id} (${fields(d, 'en')})`],
  'exemption.set': [
    (d) => `将居民 #${d.residentId} 标为免检（${pick(EXEMPTIONS, d.reason, 'zh')}）${said(d.note, 'zh')}`,
    (d) => `marked resident #${d.residentId} exempt from testing (${pick(EXEMPTIONS, d.reason, 'en')})${said(d.note, 'en')}`,
  ],
  'exemption.clear': [(d) => `取消了居民 #${d.residentId} 的免检`, (d) => `ended the testing exemption of resident #${d.residentId}`],
  'alert.positive': [
    (d) => `收到阳性结果：${d.building}${d.unit}单元${d.room}，居民 #${d.residentId}`,
    (d) => `received a positive result: ${d.building} unit ${d.unit} room ${d.room}, resident #${d.residentId}`,
  ],
  'alert.quarantine': [
    (d, id) => `就阳性预警 #${id} 将住户 #${d.householdId} 设为居家隔离，至 ${d.until}`,
    (d, id) => `put household #${d.householdId} under home quarantine until ${d.until} from positive alert #${id}`,
  ],
  'contacts.view': [
    (d) => `查看了居民 #${d.residentId} 的门岗时空伴随名单（±${d.minutes} 分钟，${d.days} 天，${n(d.people)} 人）`,
    (d) => `viewed the gate contacts of resident #${d.residentId} (±${d.minutes} min, ${d.days} days, ${n(d.people)} people)`,
  ],
};

/** Actions done before anyone is signed in: their subject is "someone" (the rest, with nobody, are the system's: the demo data, say). */
const UNSIGNED: ReadonlySet<string> = new Set(['setup.admin_created', 'login.failed', 'login.disabled', 'pin_login.failed', 'pin_login.disabled', 'device.enrolled', 'device.enroll_failed']);

/** Who did it: "王主任", "张志愿 @ 东门平板", someone not signed in, or the system. */
export function auditWho(e: Pick<AuditView, 'action' | 'userName' | 'deviceName'>, lang: Lang): string {
  const named = [e.userName, e.deviceName].filter(Boolean).join(' @ ');
  if (named) return named;
  if (UNSIGNED.has(e.action)) return lang === 'zh' ? '有人' : 'Someone';
  // A phone is activated by the resident holding it, who has no account.
  if (e.action === 'phone.activate') return lang === 'zh' ? '住户' : 'A resident';
  return lang === 'zh' ? '系统' : 'The system';
}

export function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(SENTENCES, action);
}

/**
 * An audit row as a sentence, its subject first: "王主任 导出了门岗核验记录（2026-11-01 至 2026-11-07，CSV）".
 * An action this build does not know (a newer server) is shown as its code.
 */
export function auditSentence(e: AuditView, lang: Lang, c: AuditContext): string {
  const who = auditWho(e, lang);
  if (!isAuditAction(e.action)) return `${who} · ${e.action}`;
  const say = SENTENCES[e.action][lang === 'zh' ? 0 : 1];
  const d = e.details && typeof e.details === 'object' ? (e.details as D) : {};
  const what = say(d, e.entityId ?? '', c);
  return what.startsWith(':') ? `${who}${what}` : `${who} ${what}`;
}
