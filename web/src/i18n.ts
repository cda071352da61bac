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
