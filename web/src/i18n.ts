import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Lang = 'zh' | 'en';

// Each entry: [简体中文, English]. Chinese is the first language; keep the pair together.
const STRINGS = {
  appName: ['门岗', 'Gatepost'],
  tagline: ['小区门岗与消杀记录', 'Gate checks and disinfection rounds'],
  language: ['English', '中文'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  displayName: ['姓名', 'Name'],
  phone: ['手机号', 'Phone'],
  pin: ['6位PIN码', '6-digit PIN'],
  role: ['角色', 'Role'],
  'role.admin': ['管理员', 'Administrator'],
  'role.supervisor': ['督导', 'Supervisor'],
  'role.manager': ['物业经理', 'Property manager'],
  'role.volunteer': ['志愿者', 'Volunteer'],
  setupTitle: ['首次使用：创建管理员', 'First run: create the administrator'],
  setupHint: [
    '这是系统的第一个账号，拥有全部权限。请牢记密码（至少10位）。',
    'This is the first account and can do everything. Keep the password safe (10+ characters).',
  ],
  setupButton: ['创建管理员并登录', 'Create administrator and sign in'],
  passwordAgain: ['再次输入密码', 'Password again'],
  passwordsDiffer: ['两次输入的密码不一致', 'The passwords differ'],
  compounds: ['小区', 'Compounds'],
  compound: ['小区', 'Compound'],
  users: ['用户', 'Users'],
  audit: ['审计日志', 'Audit log'],
  gates: ['门岗', 'Gates'],
  buildings: ['楼栋', 'Buildings'],
  points: ['点位', 'Points'],
  devices: ['平板', 'Tablets'],
  name: ['名称', 'Name'],
  timezone: ['时区', 'Time zone'],
  add: ['添加', 'Add'],
  create: ['创建', 'Create'],
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  edit: ['编辑', 'Edit'],
  delete: ['删除', 'Delete'],
  confirmDelete: ['确定删除？', 'Delete this?'],
  loading: ['加载中…', 'Loading…'],
  none: ['暂无', 'None yet'],
  actions: ['操作', 'Actions'],
  unitCount: ['单元数', 'Units'],
  floorCount: ['层数', 'Floors'],
  elevatorCount: ['电梯数', 'Elevators'],
  kind: ['类型', 'Kind'],
  'point.sampling': ['核酸采样点', 'Sampling point'],
  'point.gate': ['门岗', 'Gate'],
  'point.other': ['其他', 'Other'],
  newCompound: ['新建小区', 'New compound'],
  newUser: ['新建用户', 'New user'],
  newDevice: ['登记新平板', 'Register a tablet'],
  enrollmentCode: ['激活码', 'Enrollment code'],
  enrollmentHint: [
    '在平板上打开本系统，输入此激活码。24小时内有效，仅可使用一次。',
    'Open Gatepost on the tablet and enter this code. Valid for 24 hours, once.',
  ],
  newCode: ['重新生成激活码', 'New code'],
  revoke: ['停用', 'Revoke'],
  confirmRevoke: ['停用后该平板无法再同步或登录，确定？', 'The tablet will no longer sync or sign in. Revoke?'],
  'device.enrolled': ['已激活', 'Enrolled'],
  'device.pending': ['待激活', 'Waiting for enrollment'],
  'device.expired': ['激活码已过期', 'Code expired'],
  'device.revoked': ['已停用', 'Revoked'],
  lastSeen: ['最近在线', 'Last seen'],
  status: ['状态', 'Status'],
  disabled: ['已停用', 'Disabled'],
  active: ['正常', 'Active'],
  locked: ['已锁定', 'Locked'],
  unlock: ['解锁', 'Unlock'],
  disable: ['停用', 'Disable'],
  enable: ['启用', 'Enable'],
  lastLogin: ['最近登录', 'Last sign-in'],
  compoundsOf: ['所属小区', 'Compounds'],
  newPassword: ['新密码（留空不改）', 'New password (blank: keep)'],
  newPin: ['新PIN（留空不改）', 'New PIN (blank: keep)'],
  time: ['时间', 'Time'],
  action: ['动作', 'Action'],
  who: ['操作人', 'Who'],
  details: ['详情', 'Details'],
  more: ['更多', 'More'],
  saved: ['已保存', 'Saved'],
  notFound: ['页面不存在', 'Page not found'],
  apiDocs: ['接口文档', 'API docs'],
  forbidden: ['无权访问', 'No access'],
  // The gate tablet
  'tablet.title': ['门岗平板', 'Gate tablet'],
  'tablet.enrollTitle': ['激活本平板', 'Enroll this tablet'],
  'tablet.enrollHint': ['请物业经理在“小区 → 平板”中登记本平板，并把激活码告诉您。', 'Ask your property manager to register this tablet (Compound → Tablets) and give you its code.'],
  'tablet.enroll': ['激活', 'Enroll'],
  'tablet.signInTitle': ['志愿者登录', 'Volunteer sign-in'],
  'tablet.signIn': ['登录', 'Sign in'],
  'tablet.wrongPin': ['手机号或PIN码不正确', 'Wrong phone number or PIN'],
  'tablet.offlineSignedIn': ['离线登录（网络恢复后自动同步）', 'Signed in offline (syncs when the network is back)'],
  'tablet.offline.never': ['网络不通，且您从未在本平板联网登录过，无法离线登录。', 'No network, and you have never signed in on this tablet online: offline sign-in is not possible.'],
  'tablet.offline.expired': ['网络不通，您在本平板上次联网登录已超过24小时，无法离线登录。', 'No network, and your last online sign-in here was more than 24 hours ago.'],
  'tablet.offline.wrong_pin': ['PIN码不正确。', 'Wrong PIN.'],
  'tablet.chooseGate': ['选择门岗', 'Choose the gate'],
  'tablet.direction': ['方向', 'Direction'],
  'tablet.in': ['进', 'In'],
  'tablet.out': ['出', 'Out'],
  'tablet.startShift': ['开始值班', 'Start the shift'],
  'tablet.online': ['在线', 'Online'],
  'tablet.offline': ['离线', 'Offline'],
  'tablet.waiting': ['待同步 {n}', '{n} waiting'],
  'tablet.rejectedN': ['被拒 {n}', '{n} rejected'],
  'tablet.lastSync': ['上次同步 {t}', 'Synced {t}'],
  'tablet.never': ['从未', 'never'],
  'tablet.rosterAge': ['名单 {age}', 'Roster {age}'],
  'tablet.rosterStale': ['名单已过期，请联网更新', 'Roster too old: connect to update'],
  'tablet.noRoster': ['尚无名单：请联网一次', 'No roster yet: connect once'],
  'tablet.scanHint': ['请将通行码对准摄像头', 'Hold the pass up to the camera'],
  'tablet.cameraOff': ['摄像头未开启', 'Camera off'],
  'tablet.cameraOn': ['开启摄像头', 'Camera on'],
  'tablet.cameraStop': ['关闭摄像头', 'Camera off'],
  'tablet.cameraError': ['无法打开摄像头：{msg}。可使用扫码枪或“无码登记”。', 'The camera did not start: {msg}. Use a scanner gun or “No code”.'],
  'tablet.torch': ['手电', 'Torch'],
  'tablet.switchCamera': ['换摄像头', 'Camera'],
  'tablet.mute': ['静音', 'Mute'],
  'tablet.unmute': ['声音', 'Sound'],
  'tablet.noCode': ['无码登记', 'No code'],
  'tablet.visitor': ['访客登记', 'Visitor'],
  'tablet.endShift': ['交班', 'End shift'],
  'tablet.countIn': ['进 {n}', 'In {n}'],
  'tablet.countOut': ['出 {n}', 'Out {n}'],
  'tablet.countDenied': ['禁止 {n}', 'Denied {n}'],
  'tablet.tapToContinue': ['轻触继续', 'Tap to continue'],
  'tablet.override': ['放行（说明原因）', 'Let through (give a reason)'],
  'tablet.overrideTitle': ['放行原因', 'Reason to let through'],
  'tablet.overrideReasons': ['就医|持纸质阴性报告|送医护物资|刚才漏扫|物业确认', 'Medical visit|Paper negative report|Delivering supplies|Missed scan earlier|Office confirmed'],
  'tablet.otherReason': ['其他原因', 'Other reason'],
  'tablet.confirm': ['确定', 'Confirm'],
  'tablet.turnBack': ['劝返', 'Turn back'],
  'tablet.test.negative': ['核酸阴性 · {h}小时前', 'Negative · {h} h ago'],
  'tablet.test.positive': ['核酸阳性 · {h}小时前', 'POSITIVE · {h} h ago'],
  'tablet.test.pending': ['核酸待出 · {h}小时前', 'Pending · {h} h ago'],
  'tablet.building': ['楼栋', 'Building'],
  'tablet.room': ['房号', 'Room'],
  'tablet.name': ['姓名（可选）', 'Name (optional)'],
  'tablet.lookup': ['查找', 'Find'],
  'tablet.noMatch': ['没有找到该户，请核对楼栋和房号', 'No household there: check building and room'],
  'tablet.pickPerson': ['请选择本人', 'Pick the person'],
  'tablet.visitorName': ['访客姓名', 'Visitor name'],
  'tablet.visitorPhone': ['手机号', 'Phone'],
  'tablet.visitorReason': ['来访事由', 'Reason'],
  'tablet.visitorReasons': ['快递|外卖|医护|亲属送物资|维修|其他', 'Courier|Food delivery|Medical|Relative with supplies|Repairs|Other'],
  'tablet.host': ['拜访住户（楼栋+房号，可选）', 'Host household (building + room, optional)'],
  'tablet.register': ['登记', 'Register'],
  'tablet.visitorDone': ['访客已登记', 'Visitor registered'],
  'tablet.back': ['返回', 'Back'],
  'tablet.handover': ['交班说明', 'Handover note'],
  'tablet.handoverHint': ['设备、物资、需要下一班注意的事项', 'Equipment, supplies, anything the next shift should know'],
  'tablet.endAndSignOut': ['交班并退出', 'End shift and sign out'],
  'tablet.syncTitle': ['同步', 'Sync'],
  'tablet.syncNow': ['立即同步', 'Sync now'],
  'tablet.refreshRoster': ['更新名单', 'Update roster'],
  'tablet.rejectedTitle': ['服务器拒收的记录', 'Records the server rejected'],
  'tablet.signOut': ['退出登录', 'Sign out'],
  'tablet.minutes': ['{n}分钟', '{n} min'],
  'tablet.hours': ['{n}小时', '{n} h'],
  'tablet.justNow': ['刚刚', 'just now'],
  'tablet.revoked': ['本平板已被停用，请重新激活。', 'This tablet was revoked: enroll it again.'],
  'err.invalid_enrollment_code': ['激活码错误、已使用或已过期，请向物业经理索取新码', 'Wrong, used or expired code: ask your manager for a new one'],
  'err.invalid_credentials': ['用户名或密码错误', 'Wrong username or password'],
  'err.too_many_attempts': ['失败次数过多，请一小时后再试或联系管理员解锁', 'Too many failed attempts; wait an hour or ask an administrator to unlock'],
  'err.network': ['无法连接服务器', 'Cannot reach the server'],
} satisfies Record<string, [string, string]>;

export type StringKey = keyof typeof STRINGS;

export function translate(lang: Lang, key: string, vars?: Record<string, string | number>): string {
  const pair = (STRINGS as Record<string, [string, string]>)[key];
  let s = pair ? pair[lang === 'zh' ? 0 : 1] : key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export function hasString(key: string): boolean {
  return key in STRINGS;
}

export function savedLang(): Lang {
  return localStorage.getItem('gatepost.lang') === 'en' ? 'en' : 'zh';
}

export function saveLang(lang: Lang): void {
  localStorage.setItem('gatepost.lang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export interface I18n {
  lang: Lang;
  t: (key: StringKey | (string & {}), vars?: Record<string, string | number>) => string;
  setLang: (lang: Lang) => void;
  /** A date-time in the compound's zone, e.g. 2026-11-28 20:15. */
  dateTime: (iso: string | null | undefined, tz?: string) => string;
}

export const I18nContext = createContext<I18n>(null as unknown as I18n);
export const useI18n = () => useContext(I18nContext);
