import { describe, expect, it } from 'vitest';
import { FIELD_NAMES, fieldName, MESSAGES, type MessageCode, type MessageParams, messageText, THINGS } from '../../server/core/messages';
import { AppError } from '../../server/errors';

// Params for every code in the catalogue (the type makes a new code without samples fail to compile), with
// each variant a param chooses, so every sentence the server can say is rendered here in both languages.
const SAMPLES: { [C in MessageCode]: MessageParams<C>[] } = {
  invalid_input: [{ fields: ['name', 'floorCount'] }, { fields: ['records.3.direction'] }],
  unsupported_media_type: [{ want: 'json' }, { want: 'multipart' }],
  payload_too_large: [{ maxBytes: 20 * 1024 * 1024 }, {}],
  not_found: [...(Object.keys(THINGS) as (keyof typeof THINGS)[]).filter((w) => w !== 'route').map((what) => ({ what: what as 'user' })), { what: 'route', method: 'GET', path: '/api/nope' }],
  unauthorized: [{}, { on: 'tablet' }],
  forbidden: [
    {},
    { why: 'office_only' },
    { why: 'tablet_only' },
    { why: 'out_of_scope' },
    { why: 'read_only' },
    { why: 'own_volunteers_only' },
    { why: 'admin_changes_roles' },
    { why: 'not_yourself' },
    { why: 'unknown_compound' },
  ],
  bad_request: [{}],
  internal: [{}],
  csrf_rejected: [{}],
  invalid_credentials: [{ via: 'password' }, { via: 'pin' }],
  account_disabled: [{ ask: 'admin' }, { ask: 'manager' }],
  too_many_attempts: [{}],
  already_set_up: [{}],
  invalid_enrollment_code: [{}],
  activation_invalid: [{ why: 'unknown' }, { why: 'used' }, { why: 'expired' }, { why: 'pass_revoked' }],
  phone_not_bound: [{}],
  phone_request_refused: [{ why: 'signature' }, { why: 'clock' }, { why: 'replay' }],
  not_a_session: [{}],
  already_enrolled: [{}],
  account_taken: [{}],
  name_taken: [
    { what: 'building', name: '1号楼' },
    { what: 'gate', name: '北门' },
    { what: 'point', name: '采样点' },
    { what: 'compound', name: '幸福里' },
  ],
  in_use: [{ what: 'building' }, {}],
  already_exists: [{}],
  backup_postgres: [{}],
  confirm_name: [{ name: '崇文佳苑一区' }],
  lockdown_already_ended: [{}],
  nothing_to_override: [{}],
  override_not_allowed: [{}],
  already_voided: [{}],
  already_reviewed: [{}],
  photo_too_large: [{ size: 3 * 1024 * 1024, max: 200 * 1024 }],
  not_an_image: [{}],
  round_not_synced: [{}],
  too_many_exports: [{ count: 3 }],
  too_many_live_feeds: [
    { per: 'session', count: 5 },
    { per: 'account', count: 10 },
    { per: 'server', count: 200 },
  ],
  too_many_rows: [{ max: 200_000 }],
  too_many_columns: [
    { max: 50, row: 1, column: '51 (AY)' },
    { max: 50, row: 2, cells: 16_384 },
  ],
  cell_too_long: [{ max: 1000, row: 3, column: '4 (D)', length: 1001 }, { max: 1000, maxBytes: 4096 }],
  unpacked_too_large: [
    { part: 'file', maxBytes: 256 * 1024 * 1024 },
    { part: 'texts', maxBytes: 64 * 1024 * 1024 },
    { part: 'xl/worksheets/sheet1.xml', maxBytes: 1024 },
  ],
  unreadable_file: (['xls_or_protected', 'not_zip', 'password', 'damaged', 'cut_short', 'compression', 'missing_part', 'no_sheet', 'control_character', 'runaway_row', 'parse'] as const).map(
    (cause) => ({ kind: 'XLSX' as const, cause, part: 'xl/workbook.xml', row: 5002, max: 200_000, detail: 'Unexpected end of input' }),
  ),
  empty_file: [{}],
  missing_columns: [
    { missing: ['姓名 / 名字'], found: ['楼栋', '单元'] },
    { missing: ['姓名 / 名字'], found: [] },
  ],
  import_rejected: [{ rejected: 5 }],
  row_name_empty: [{}],
  row_name_too_long: [{ max: 40 }],
  row_no_building: [{ building: '9号楼' }],
  row_room_empty: [{}],
  row_unit_required: [{ building: '1号楼', units: 2 }],
  row_bad_phone: [{ phone: '12345' }],
  row_bad_date: [{ value: '下周' }],
  row_duplicate: [{ line: 2 }],
  row_bad_sample_time: [{ value: '昨天' }],
  row_bad_result: [{ value: '阴' }],
  row_no_match: [{}],
  id_in_use: [{}],
  invalid_record: [{ fields: ['direction', 'at'] }],
  implausible_time: [
    { at: '9999-01-01T00:00:00.000Z', what: 'record' },
    { at: '2030-01-01T00:00:00.000Z', what: 'sample' },
  ],
  unknown_volunteer: [{ id: 7 }],
  unknown_gate: [{ id: 1 }],
  unknown_resident: [{ id: 12 }],
  unknown_household: [{ id: 3 }],
  unknown_check: [{ id: '0190f5c2-0000-7000-8000-000000000000' }],
  unknown_shift: [{ id: '0190f5c2-0000-7000-8000-000000000001' }],
  unknown_place: [
    { kind: 'building', id: 4 },
    { kind: 'point', id: 5 },
  ],
  shift_already_ended: [{}],
  required: [{}],
  not_empty: [{}],
  too_short: [{ min: 10 }],
  too_long: [{ max: 100 }],
  too_few: [{ min: 1 }],
  too_many: [{ max: 20 }],
  too_small: [{ min: 1 }],
  too_big: [{ max: 99 }],
  wrong_type: [{ expected: 'number' }, { expected: 'string' }],
  bad_format: [{ format: 'datetime' }, { format: 'regex' }],
  not_one_of: [{ options: ['building', 'point'] }],
  unknown_keys: [{ keys: ['colour'] }],
  invalid: [{}],
  whole_number: [{}],
  date_format: [{}],
  time_format: [{}],
  phone_format: [{}],
  pin_format: [{}],
  time_zone: [{}],
  time_zone_named: [{ known: 'Asia/Shanghai' }],
  temperature_or_normal: [{}],
  passed_needs_override: [{}],
  slot_not_begun: [{ date: '2026-11-28', time: '18:00' }],
  uuid_v7: [{}],
  each_once: [{}],
  attach_file: [{}],
  code_or_resident: [{}],
  needs_code: [{}],
  needs_resident: [{}],
  needs_visitor: [{}],
  needs_skip_reason: [{}],
  needs_area: [{}],
  finished_before_start: [{}],
  office_sign_in: [{ role: 'manager' }, { role: 'supervisor' }, { role: 'admin' }],
  tablet_sign_in: [{}],
  exactly_one_compound: [{}],
  at_least_one_compound: [{}],
  no_compounds: [{ role: 'supervisor' }, { role: 'admin' }],
  unknown_compounds: [{ ids: ['4242'] }],
  unknown_buildings: [{ ids: ['4242'] }],
  date_in_past: [{}],
  in_the_past: [{}],
  ends_before_start: [{}],
  window_ends_before_start: [{}],
  local_date_time: [{}],
  range_too_long: [{ maxDays: 92 }],
};

const CJK = /[\u4e00-\u9fff]/;
// Three English words in a row is a sentence (or most of one); names like "Excel 或 WPS", "CSV（UTF-8）" or
// "Content-Type: application/json" are not.
const ENGLISH_SENTENCE = /\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b/;

const cases = (Object.keys(MESSAGES) as MessageCode[]).flatMap((code) => (SAMPLES[code] as object[]).map((params, i) => ({ code, params, i })));

describe('the message catalogue', () => {
  it('has samples for every code', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(MESSAGES).sort());
    for (const code of Object.keys(MESSAGES) as MessageCode[]) expect(SAMPLES[code].length, code).toBeGreaterThan(0);
  });

  it.each(cases)('$code (sample $i) reads in Chinese and in English', ({ code, params }) => {
    const zh = messageText({ code, params }, 'zh');
    const en = messageText({ code, params }, 'en');
    expect(zh, `${code} zh`).toBeTruthy();
    expect(en, `${code} en`).toBeTruthy();
    expect(zh, `${code} zh has Chinese`).toMatch(CJK);
    expect(zh, `${code} zh has no English sentence`).not.toMatch(ENGLISH_SENTENCE);
    expect(zh).not.toMatch(/undefined|NaN|\[object/);
    expect(en).not.toMatch(/undefined|NaN|\[object/);
    expect(en, `${code} en is not the Chinese`).not.toBe(zh);
  });

  it('names things and fields in Chinese', () => {
    for (const [k, [zh, en]] of [...Object.entries(THINGS), ...Object.entries(FIELD_NAMES)]) {
      expect(zh, k).toMatch(CJK);
      expect(en, k).toMatch(/^[A-Za-z( ][A-Za-z ()-]*$/);
    }
    expect(fieldName('records.3.direction', 'zh')).toBe('方向');
    expect(fieldName('floorCount', 'en')).toBe('floors');
    expect(fieldName('somethingNew', 'zh')).toBe('somethingNew');
  });

  it('says nothing for a code it does not have, so the caller can fall back to the server message', () => {
    expect(messageText({ code: 'no_such_code', params: {} }, 'zh')).toBeUndefined();
    expect(messageText({ code: 'toString', params: {} }, 'zh')).toBeUndefined();
    expect(messageText({ code: 'unknown_gate' }, 'zh')).toBeUndefined();
  });

  it('renders the texts people will read', () => {
    expect(messageText({ code: 'name_taken', params: { what: 'building', name: '1号楼' } }, 'zh')).toBe('本小区已有名为“1号楼”的楼栋，请换一个名称。');
    expect(messageText({ code: 'too_short', params: { min: 10 } }, 'zh')).toBe('至少 10 个字符');
    expect(messageText({ code: 'invalid_input', params: { fields: ['name', 'floorCount'] } }, 'zh')).toBe('请检查以下内容：名称、楼层数');
  });
});

describe('errors take only catalogued codes, with their params', () => {
  it('does not compile otherwise (checked by tsc), and renders the English message from the catalogue', () => {
    // @ts-expect-error a code the catalogue does not have
    void (() => new AppError(409, 'no_such_code'));
    // @ts-expect-error name_taken needs what and name
    void (() => new AppError(409, 'name_taken'));
    // @ts-expect-error a param of another code
    void (() => new AppError(409, 'name_taken', { what: 'building', title: 'x' }));
    // @ts-expect-error a thing the catalogue cannot name
    void (() => new AppError(409, 'in_use', { what: 'spaceship' }));
    const e = new AppError(409, 'name_taken', { what: 'gate', name: '北门' });
    expect(e.message).toBe('A gate named "北门" already exists here. Choose another name.');
    expect(e.params).toEqual({ what: 'gate', name: '北门' });
  });
});
