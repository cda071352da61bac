import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, type AuditAction, auditSentence } from '../../server/core/audit';

// Details as the server writes them (grep recordAudit): every action of the log read as a sentence.
const DETAILS: Record<AuditAction, unknown> = {
  'setup.admin_created': null,
  login: null,
  'login.failed': { username: 'admin' },
  'login.disabled': { username: 'li4' },
  logout: null,
  pin_login: null,
  'pin_login.failed': { phone: '13800000001' },
  'pin_login.disabled': { phone: '13800000001' },
  'device.create': null,
  'device.new_code': null,
  'device.revoke': null,
  'device.enrolled': null,
  'device.enroll_failed': {},
  'user.create': { role: 'volunteer', displayName: '张小三', username: null, phone: '13800000001', compoundIds: [1] },
  'user.update': { displayName: '张小三', disabled: true, password: 'changed' },
  'user.unlock': null,
  'compound.create': { name: '崇文佳苑一区' },
  'compound.update': { name: '崇文佳苑', timezone: 'Asia/Shanghai' },
  'gate.create': { name: '东门' },
  'gate.update': { name: '东门一' },
  'gate.delete': null,
  'building.create': { name: '1号楼', elevatorCount: 2 },
  'building.update': { floorCount: 18 },
  'building.delete': null,
  'point.create': { name: '采样点', kind: 'sampling' },
  'point.update': { name: '采样点二' },
  'point.delete': null,
  'policy.update': { rules: {}, note: '春节期间放宽' },
  'disinfection.schedule': { slots: [{ time: '06:00' }, { time: '14:00' }], effectiveFrom: '2026-12-01T00:00:00.000Z' },
  'disinfection.template': { items: [{ key: 'a' }, { key: 'b' }] },
  'gate_check.void': { reason: '误扫' },
  'gate_check.override': { volunteerId: 5, reason: '送医', reasons: ['test_expired'], at: '2026-12-01T01:00:00.000Z' },
  'conflict.review': { note: '已电话核实' },
  export: { dataset: 'gate-checks', format: 'csv', from: '2026-11-01', to: '2026-11-07', compoundIds: [1], lang: 'zh' },
  'pass.issue': { residentId: 12 },
  'pass.issue_bulk': { buildingId: 3, count: 120 },
  'pass.revoke': { reason: '遗失' },
  'pass.activation_link': null,
  'phone.activate': { replaced: true },
  'phone.unbind': { reason: '手机遗失' },
  'resident.create': { name: '张三', buildingId: 3, unit: '1', room: '301' },
  'resident.update': { phone: '13900000001' },
  'resident.remove': null,
  'household.quarantine': { until: '2026-12-07', note: '密接' },
  'household.quarantine_end': { until: null, note: null },
  'resident.import': { file: '名单.xlsx', created: 1204, updated: 3, unchanged: 0, rejected: 2 },
  'test_round.import': { file: '第一轮.csv', imported: 980, unmatched: 4, rejected: 1 },
  'test_result.record': { residentId: 12, sampledAt: '2026-12-01T00:00:00.000Z', result: 'negative' },
  'retention.update': { gateDays: 14, photoDays: null },
  'retention.purge': { counts: { gateChecks: 120, visitors: 4, photos: 3, testResults: 50, disinfectionRecords: 0, shifts: 2 } },
  'backup.create': { file: 'gatepost-2026-12-01T030000Z.db' },
  'lockdown.end': { compoundName: '崇文佳苑一区', certificateId: 'c-1', counts: { gateChecks: 1, visitors: 0, photos: 0, testResults: 0, disinfectionRecords: 0, shifts: 0 } },
  'round.create': { name: '第3轮', startsOn: '2026-12-01', endsOn: '2026-12-02', buildingIds: null },
  'round.update': { name: '第3轮' },
  'exemption.set': { residentId: 12, reason: 'bedridden', note: '行动不便' },
  'exemption.clear': { residentId: 12 },
  'alert.positive': { residentId: 12, householdId: 3, building: '3号楼', unit: '1', room: '302', sampledAt: '2026-12-01T00:00:00.000Z', source: 'import' },
  'alert.quarantine': { householdId: 3, until: '2026-12-14' },
  'contacts.view': { residentId: 12, minutes: 10, days: 7, people: 4 },
};

const ctx = { dateTime: (iso: string) => iso.slice(0, 16).replace('T', ' ') };
const row = (action: string, details: unknown) => ({ action, entityId: '7', details, userName: '王主任', deviceName: null });
const ENGLISH_SENTENCE = /\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b/;

describe('the audit log in sentences', () => {
  it.each(AUDIT_ACTIONS.map((action) => ({ action })))('$action reads in Chinese and in English', ({ action }) => {
    const zh = auditSentence(row(action, DETAILS[action]), 'zh', ctx);
    const en = auditSentence(row(action, DETAILS[action]), 'en', ctx);
    expect(zh.startsWith('王主任 ')).toBe(true);
    expect(zh.slice(4)).toMatch(/[\u4e00-\u9fff]/);
    expect(zh).not.toMatch(ENGLISH_SENTENCE);
    expect(zh).not.toMatch(/undefined|NaN|\[object|\{/);
    expect(en).not.toMatch(/undefined|NaN|\[object|\{/);
    expect(en).not.toBe(zh);
    expect(zh).not.toContain(action);
  });

  it('says what happened, with its details', () => {
    expect(auditSentence(row('export', DETAILS.export), 'zh', ctx)).toBe('王主任 导出了门岗核验记录（2026-11-01 至 2026-11-07，CSV）');
    expect(auditSentence(row('export', DETAILS.export), 'en', ctx)).toBe('王主任 exported gate checks (2026-11-01 to 2026-11-07, CSV)');
    expect(auditSentence(row('building.create', DETAILS['building.create']), 'zh', ctx)).toBe('王主任 添加了楼栋“1号楼”');
    expect(auditSentence(row('user.update', DETAILS['user.update']), 'zh', ctx)).toBe('王主任 修改了用户 #7（姓名、停用、密码）');
    expect(auditSentence(row('gate_check.override', DETAILS['gate_check.override']), 'zh', ctx)).toBe('王主任 在 2026-12-01 01:00 人工放行（核酸超时）：送医');
    expect(auditSentence({ ...row('login.failed', DETAILS['login.failed']), userName: null }, 'zh', ctx)).toBe('有人 以用户名“admin”登录失败（用户名或密码错误）');
    expect(auditSentence({ ...row('pass.issue_bulk', DETAILS['pass.issue_bulk']), userName: null }, 'en', ctx)).toBe('The system issued 120 passes for building #3');
    expect(auditSentence({ ...row('pin_login', null), userName: null, deviceName: '东门平板' }, 'zh', ctx)).toBe('东门平板 上，志愿者 #7 登录');
  });

  it('shows an action it does not know by its code, rather than nothing', () => {
    expect(auditSentence(row('something.new', { a: 1 }), 'zh', ctx)).toBe('王主任 · something.new');
  });
});
