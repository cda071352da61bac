import type { Lang } from './i18n.js';

/**
 * The one catalogue of what the server can say went wrong: every error code, every field issue and every
 * reason a synced record is refused, each with its parameters' type and its text in both UI languages.
 * The server's errors accept only these codes (AppError is typed by them) and render their English
 * `message` from here; the web app renders the same code and params in the UI's language.
 *
 * To add a code: add an entry `my_code: say<{ n: number }>((p) => '中文…', (p) => 'English…')` below (no
 * params: `say(() => '…', () => '…')`), then throw `new AppError(4xx, 'my_code', { n })`. The catalogue
 * test (tests/unit/messages.test.ts) wants a sample of its params there too, so it checks both texts.
 */

/** A parameter value: what survives JSON unchanged. */
type Value = string | number | boolean | string[] | undefined;
export type Params = { [k: string]: Value };

interface Entry<P> {
  zh: (p: P) => string;
  en: (p: P) => string;
}
// biome-ignore lint/complexity/noBannedTypes: {} is "no params"
const say = <P extends Params = {}>(zh: (p: P) => string, en: (p: P) => string): Entry<P> => ({ zh, en });

const n = (x: number) => x.toLocaleString('en-US');
const bytes = (b: number) => (b >= 1024 * 1024 ? `${Math.round(b / 1024 / 1024)} MB` : `${Math.round(b / 1024)} KB`);
const zhList = (xs: string[]) => xs.join('、');
const enList = (xs: string[]) => xs.join(', ');

/** Things an error can name (not found, name taken, still in use). */
export const THINGS = {
  compound: ['小区', 'compound'],
  gate: ['门岗', 'gate'],
  building: ['楼栋', 'building'],
  point: ['点位', 'point'],
  household: ['住户', 'household'],
  resident: ['居民', 'resident'],
  pass: ['通行码', 'pass'],
  user: ['用户', 'user'],
  tablet: ['平板', 'tablet'],
  shift: ['班次', 'shift'],
  gate_check: ['通行记录', 'gate check'],
  conflict: ['待核对记录', 'conflict'],
  photo: ['照片', 'photo'],
  testing_round: ['核酸批次', 'testing round'],
  certificate: ['销毁证明', 'deletion certificate'],
  backup: ['备份', 'backup'],
  round: ['核酸轮次', 'testing round'],
  exemption: ['免检标记', 'testing exemption'],
  alert: ['阳性预警', 'positive alert'],
  route: ['接口', 'API route'],
} as const satisfies Record<string, [string, string]>;
export type Thing = keyof typeof THINGS;
const zhThing = (t: Thing) => THINGS[t][0];
const enThing = (t: Thing) => THINGS[t][1];

/** The fields a request or a record names, as the UI calls them; a path not here is shown as it is. */
export const FIELD_NAMES: Record<string, [string, string]> = {
  name: ['名称', 'name'],
  displayName: ['姓名', 'name'],
  username: ['用户名', 'username'],
  password: ['密码', 'password'],
  phone: ['手机号', 'phone'],
  noPhone: ['无手机', 'no phone'],
  pin: ['PIN码', 'PIN'],
  role: ['角色', 'role'],
  disabled: ['停用', 'disabled'],
  buildingId: ['楼栋', 'building'],
  householdId: ['住户', 'household'],
  quarantineUntil: ['隔离截止', 'quarantine until'],
  quarantineNote: ['隔离说明', 'quarantine note'],
  compoundIds: ['所属小区', 'compounds'],
  compoundId: ['小区', 'compound'],
  timezone: ['时区', 'time zone'],
  floorCount: ['楼层数', 'floors'],
  elevatorCount: ['电梯数', 'elevators'],
  unitCount: ['单元数', 'units'],
  kind: ['类型', 'kind'],
  from: ['开始', 'from'],
  to: ['结束', 'to'],
  date: ['日期', 'date'],
  effectiveFrom: ['生效时间', 'effective from'],
  slots: ['消杀时段', 'slots'],
  items: ['消杀项目', 'areas'],
  reason: ['原因', 'reason'],
  note: ['说明', 'note'],
  until: ['截止日期', 'until'],
  file: ['文件', 'file'],
  code: ['通行码', 'code'],
  direction: ['方向', 'direction'],
  at: ['时间', 'time'],
  id: ['编号', 'id'],
  gateId: ['门岗', 'gate'],
  residentId: ['居民', 'resident'],
  volunteerId: ['志愿者', 'volunteer'],
  visitor: ['访客', 'visitor'],
  skipReason: ['未消杀原因', 'reason for skipping'],
  finishedAt: ['完成时间', 'finished at'],
  startedAt: ['开始时间', 'started at'],
  sampledAt: ['采样时间', 'sampled at'],
  startsOn: ['开始日期', 'starts on'],
  endsOn: ['结束日期', 'ends on'],
  buildingIds: ['楼栋范围', 'buildings'],
  minutes: ['前后分钟数', 'minutes either side'],
  days: ['天数', 'days'],
  result: ['结果', 'result'],
  building: ['楼栋', 'building'],
  unit: ['单元', 'unit'],
  room: ['房号', 'room'],
  format: ['格式', 'format'],
  dataset: ['数据', 'dataset'],
  records: ['记录', 'records'],
  '(body)': ['请求内容', 'request body'],
};

/** A field's name in the UI's language: the last named segment of its path ("records.3.direction" → 方向). */
export function fieldName(path: string, lang: Lang): string {
  const last = path.split('.').filter((s) => !/^\d+$/.test(s)).pop() ?? path;
  const pair = FIELD_NAMES[last];
  return pair ? pair[lang === 'zh' ? 0 : 1] : path;
}

const ROLE_WORDS = { admin: ['管理员', 'administrator'], supervisor: ['督导', 'supervisor'], manager: ['物业经理', 'manager'], volunteer: ['志愿者', 'volunteer'] } as const;
type Role = keyof typeof ROLE_WORDS;

type Forbidden = 'default' | 'office_only' | 'tablet_only' | 'out_of_scope' | 'read_only' | 'own_volunteers_only' | 'admin_changes_roles' | 'not_yourself' | 'unknown_compound';
const FORBIDDEN: Record<Forbidden, [string, string]> = {
  default: ['您没有权限进行此操作。', 'You do not have access to this.'],
  office_only: ['此操作需要在办公室端登录。', 'This needs an office sign-in.'],
  tablet_only: ['此功能仅供已激活的门岗平板使用。', 'This is for enrolled tablets.'],
  out_of_scope: ['该小区不在您的管辖范围内。', 'This compound is outside your scope.'],
  read_only: ['督导只能查看和导出，不能修改。', 'Supervisors can view and export but not change.'],
  own_volunteers_only: ['物业经理只能管理本小区的志愿者。', 'Managers can only manage volunteers of their own compounds.'],
  admin_changes_roles: ['只有管理员可以更改角色。', 'Only an administrator can change roles.'],
  not_yourself: ['不能停用自己的账号或更改自己的角色。', 'You cannot disable yourself or change your own role.'],
  unknown_compound: ['没有这个小区。', 'Unknown compound.'],
};

type Unreadable =
  | 'xls_or_protected'
  | 'not_zip'
  | 'password'
  | 'damaged'
  | 'cut_short'
  | 'compression'
  | 'missing_part'
  | 'no_sheet'
  | 'control_character'
  | 'runaway_row'
  | 'parse';

export const MESSAGES = {
  // --- requests in general -----------------------------------------------------------------------------
  invalid_input: say<{ fields: string[] }>(
    (p) => `请检查以下内容：${zhList(p.fields.map((f) => fieldName(f, 'zh')))}`,
    () => 'Check these fields',
  ),
  unsupported_media_type: say<{ want: 'json' | 'multipart' }>(
    (p) => (p.want === 'json' ? '请求内容须为 JSON（Content-Type: application/json）。' : '请选择一个文件上传（multipart/form-data，字段名 file）。'),
    (p) => (p.want === 'json' ? 'Send the request body as JSON (Content-Type: application/json).' : 'Upload the file as multipart/form-data (a file field named "file").'),
  ),
  payload_too_large: say<{ maxBytes?: number }>(
    (p) => (p.maxBytes ? `提交的内容太大（上限 ${bytes(p.maxBytes)}）。` : '提交的内容太大。'),
    (p) => (p.maxBytes ? `The request body is larger than ${bytes(p.maxBytes)}.` : 'The request body is too large.'),
  ),
  not_found: say<{ what: Exclude<Thing, 'route'> } | { what: 'route'; method: string; path: string }>(
    (p) => (p.what === 'route' ? `没有这个接口：${p.method} ${p.path}` : `找不到该${zhThing(p.what)}。`),
    (p) => (p.what === 'route' ? `There is no API route ${p.method} ${p.path}.` : `The ${enThing(p.what)} was not found.`),
  ),
  unauthorized: say<{ on?: 'office' | 'tablet' }>(
    (p) => (p.on === 'tablet' ? '请在平板上用手机号和PIN码登录。' : '请先登录。'),
    (p) => (p.on === 'tablet' ? 'Sign in on the tablet with your phone number and PIN.' : 'Sign in first.'),
  ),
  forbidden: say<{ why?: Forbidden }>(
    (p) => FORBIDDEN[p.why ?? 'default'][0],
    (p) => FORBIDDEN[p.why ?? 'default'][1],
  ),
  bad_request: say(() => '请求有误。', () => 'Bad request.'),
  internal: say(() => '服务器出错了，已记录在日志中。', () => 'Something went wrong on the server. It has been logged.'),
  csrf_rejected: say(
    () => '该请求并非来自门岗系统的页面（已拒绝跨站请求）。',
    () => 'This request did not come from a Gatepost page (cross-site request refused).',
  ),

  // --- signing in ---------------------------------------------------------------------------------------
  invalid_credentials: say<{ via: 'password' | 'pin' }>(
    (p) => (p.via === 'pin' ? '手机号或PIN码错误（或不是本小区的志愿者）。' : '用户名或密码错误。'),
    (p) => (p.via === 'pin' ? 'Wrong phone number or PIN for this compound.' : 'Wrong username or password.'),
  ),
  account_disabled: say<{ ask: 'admin' | 'manager' }>(
    (p) => `该账号已停用，请联系${p.ask === 'manager' ? '物业经理' : '管理员'}。`,
    (p) => `This account is disabled. Ask ${p.ask === 'manager' ? 'your property manager' : 'an administrator'}.`,
  ),
  too_many_attempts: say(
    () => '失败次数过多，请一小时后再试或联系管理员解锁。',
    () => 'Too many failed attempts. Wait an hour or ask an administrator to unlock the account.',
  ),
  already_set_up: say(() => '门岗系统已完成初始设置，请直接登录。', () => 'Gatepost is already set up. Sign in instead.'),
  invalid_enrollment_code: say(
    () => '激活码错误、已使用或已过期，请向物业经理索取新码。',
    () => 'This enrollment code is wrong, already used or expired. Ask your manager for a new one.',
  ),
  activation_invalid: say<{ why: 'unknown' | 'used' | 'expired' | 'pass_revoked' }>(
    (p) =>
      ({ unknown: '该激活链接无效。', used: '该激活链接已使用过。', expired: '该激活链接已过期。', pass_revoked: '该通行码已作废。' })[p.why] + '请向物业索取新的激活码。',
    (p) =>
      ({ unknown: 'This activation link is not valid.', used: 'This activation link has already been used.', expired: 'This activation link has expired.', pass_revoked: 'This pass has been revoked.' })[p.why] +
      ' Ask the property office for a new activation code.',
  ),
  phone_not_bound: say(
    () => '本手机已不再绑定该通行码（已解绑或在另一部手机上重新激活），请向物业索取新的激活码。',
    () => 'This phone is no longer bound to the pass (unbound, or activated on another phone). Ask the property office for a new activation code.',
  ),
  phone_request_refused: say<{ why: 'signature' | 'clock' | 'replay' }>(
    (p) => ({ signature: '请求签名无效。', clock: '手机时间与服务器相差过大，请校准手机时间后重试。', replay: '该请求已处理过，请刷新。' })[p.why],
    (p) => ({ signature: 'The request signature is not valid.', clock: 'The phone’s clock is too far from the server’s: set its time and retry.', replay: 'This request was already handled: refresh.' })[p.why],
  ),
  not_a_session: say(() => '平板凭证不是登录会话：请改为吊销该平板。', () => 'A device credential is not a session; revoke the device instead.'),
  already_enrolled: say(
    () => '该平板已激活或已吊销，请重新登记一台平板。',
    () => 'This tablet is already enrolled or revoked. Register a new tablet instead.',
  ),
  account_taken: say(() => '该用户名或手机号已被其他账号使用。', () => 'That username or phone number is already used by another account.'),

  // --- places and records -------------------------------------------------------------------------------
  name_taken: say<{ what: Thing; name: string }>(
    (p) => `本小区已有名为“${p.name}”的${zhThing(p.what)}，请换一个名称。`,
    (p) => `A ${enThing(p.what)} named "${p.name}" already exists here. Choose another name.`,
  ),
  in_use: say<{ what?: Thing }>(
    (p) =>
      p.what ? `该${zhThing(p.what)}仍被其他记录引用（如住户、通行记录或消杀记录），不能删除。` : '仍有其他记录引用它，或它引用的记录不存在。',
    (p) =>
      p.what
        ? `This ${enThing(p.what)} is still referenced by other records and cannot be deleted.`
        : 'Other records still refer to this, or it refers to something that does not exist.',
  ),
  already_exists: say(() => '已存在：名称和编码不能重复。', () => 'That already exists; names and codes must be unique.'),
  backup_postgres: say(
    () => '本系统使用 PostgreSQL 数据库：请用 pg_dump 备份（见说明文档“数据：保留、备份与管控结束”）。',
    () => 'This installation runs on PostgreSQL: back it up with pg_dump (README, "Data: retention, backups, end of lockdown").',
  ),
  confirm_name: say<{ name: string }>(
    (p) => `请准确输入“${p.name}”以确认：删除后无法恢复。`,
    (p) => `Type "${p.name}" exactly to confirm: what is deleted cannot be brought back.`,
  ),
  lockdown_already_ended: say(() => '该小区的防疫管控期已经结束，个人数据已删除。', () => "This compound's epidemic-control period has already ended; its personal data was deleted."),
  nothing_to_override: say(() => '该次核验已放行，无需人工放行。', () => 'This check is allowed: there is nothing to override.'),
  override_not_allowed: say(
    () => '当前防疫政策不允许志愿者放行此类禁止，请让其到物业办公室处理。',
    () => 'The policy does not let volunteers override this denial. Send the person to the property office.',
  ),
  already_voided: say(() => '该通行记录已作废。', () => 'That gate check has already been voided.'),
  already_reviewed: say(() => '该记录已核对过。', () => 'This conflict has already been reviewed.'),
  photo_too_large: say<{ size: number; max: number }>(
    (p) => `照片有 ${bytes(p.size)}，上限 ${bytes(p.max)}。请重新拍摄（应用会自动压缩）。`,
    (p) => `The photo is ${bytes(p.size)}; at most ${bytes(p.max)}. Take it again (the app shrinks it).`,
  ),
  not_an_image: say(() => '这不是一张完整的 JPEG 或 PNG 图片。', () => 'This is not a complete JPEG or PNG image.'),
  round_not_synced: say(
    () => '这次消杀记录还没有同步到服务器：请先同步记录，再上传照片。',
    () => 'That round is not on the server yet: send the round first, then its photo.',
  ),
  too_many_exports: say<{ count: number }>(
    (p) => `您已有 ${p.count} 个导出正在下载，已达每人上限：请等其中一个完成（或取消）后再试。`,
    (p) => `You already have ${p.count} exports downloading, the most one person may at once: let one finish (or cancel it), then try again.`,
  ),
  too_many_live_feeds: say<{ per: 'session' | 'account' | 'server'; count: number }>(
    (p) =>
      p.per === 'session'
        ? `本次登录已打开 ${p.count} 个实时看板，已达上限。请关闭其他看板标签页或窗口，再刷新本页。`
        : p.per === 'account'
          ? `您的账号已在本机和其他电脑上打开 ${p.count} 个实时看板，已达上限。请关闭不看的看板标签页，再刷新本页。`
          : `服务器的实时推送已达上限（${p.count} 个）。请关闭无人查看的看板，或几分钟后刷新本页；每次刷新的数字都是最新的。`,
    (p) =>
      p.per === 'session'
        ? `This sign-in already has ${p.count} live dashboards open, the most one sign-in may. Close other dashboard tabs or windows, then reload this page.`
        : p.per === 'account'
          ? `Your account already has ${p.count} live dashboards open, on this and other computers, the most one account may. Close dashboard tabs you are not watching, then reload this page.`
          : `The server is at its limit of ${p.count} live feeds. Close dashboard tabs nobody is watching, or reload this page in a few minutes; the figures are up to date on every reload.`,
  ),

  // --- spreadsheet imports (server/imports/) -------------------------------------------------------------
  too_many_rows: say<{ max: number }>(
    (p) => `文件超过 ${n(p.max)} 行：请拆分成每个不超过 ${n(p.max)} 行的文件，分别导入。`,
    (p) => `The file has more than ${n(p.max)} rows. Split it into files of at most ${n(p.max)} rows each and import them one by one.`,
  ),
  too_many_columns: say<{ max: number; row: number; column?: string; cells?: number }>(
    (p) =>
      p.column
        ? `文件超过 ${n(p.max)} 列：第 ${n(p.row)} 行的第 ${p.column} 列有内容。请删去系统不用的列（只需楼栋、单元、房号、姓名、手机号等），再重新导入。`
        : `文件超过 ${n(p.max)} 列：第 ${n(p.row)} 行超过 ${n(p.cells ?? p.max)} 个单元格。请检查是否为英文逗号分隔的 CSV 文件，删去系统不用的列，再重新导入。`,
    (p) =>
      p.column
        ? `The file has more than ${n(p.max)} columns: row ${n(p.row)} has a value in column ${p.column}. Delete the columns Gatepost does not use (it reads 楼栋, 单元, 房号, 姓名, 手机号 and the like), then import the file again.`
        : `The file has more than ${n(p.max)} columns: row ${n(p.row)} has more than ${n(p.cells ?? p.max)} cells. Check that it is a CSV file separated by commas, delete the columns Gatepost does not use, then import it again.`,
  ),
  cell_too_long: say<{ max: number; row?: number; column?: string; length?: number; maxBytes?: number }>(
    (p) =>
      p.row
        ? `第 ${n(p.row)} 行第 ${p.column} 列的单元格有 ${n(p.length ?? 0)} 个字，上限 ${n(p.max)}。请缩短它（或检查文件是否用英文逗号分隔），再重新导入。`
        : `文件中有一处文字超过 ${bytes(p.maxBytes ?? 0)}，而一个单元格最多 ${n(p.max)} 个字。请缩短它，再重新导入。`,
    (p) =>
      p.row
        ? `The cell in row ${n(p.row)}, column ${p.column} holds ${n(p.length ?? 0)} characters; a cell may hold at most ${n(p.max)}. Shorten it (or check that the file's columns are separated by commas), then import the file again.`
        : `The file holds a text of more than ${bytes(p.maxBytes ?? 0)} in one place; a cell may hold at most ${n(p.max)} characters. Shorten it, then import the file again.`,
  ),
  unpacked_too_large: say<{ part: string; maxBytes: number }>(
    (p) =>
      `${p.part === 'file' ? '该 XLSX 文件' : p.part === 'texts' ? '该 XLSX 文件的文字表（共享字符串）' : `该 XLSX 文件的 ${p.part} 部分`}解压后超过 ${bytes(p.maxBytes)}，超出系统一次读取的上限。请删去不需要的行、列和格式，或另存为 CSV，或拆分成几个文件。`,
    (p) =>
      `${p.part === 'file' ? 'This XLSX file' : p.part === 'texts' ? "This XLSX file's table of texts (shared strings)" : `The part ${p.part} of this XLSX file`} unpacks to more than ${bytes(p.maxBytes)}, more than Gatepost reads from one file. Delete the rows, columns and formatting it does not need, or save it as CSV, or split it into smaller files.`,
  ),
  unreadable_file: say<{ kind: 'CSV' | 'XLSX'; cause: Unreadable; part?: string; row?: number; max?: number; detail?: string }>(
    (p) => {
      const why: Record<Unreadable, string> = {
        xls_or_protected: '这是 Excel 97–2003（.xls）工作簿或加密的工作簿。请另存为不加密的 .xlsx 或 CSV 后再导入。',
        not_zip: '它不是 XLSX 应有的 zip 格式（.xls 文件或加密的工作簿就是这样）。请另存为不加密的 .xlsx 或 CSV。',
        password: '它有密码保护。请取消密码后再导入。',
        damaged: `其中的 ${p.part ?? ''} 部分已损坏。请用 Excel 或 WPS 重新保存。`,
        cut_short: `其中的 ${p.part ?? ''} 部分不完整。请重新保存或重新上传。`,
        compression: `其中的 ${p.part ?? ''} 部分使用了系统无法解压的压缩方式。请用 Excel 或 WPS 重新保存。`,
        missing_part: `它缺少 XLSX 文件必有的 ${p.part ?? ''} 部分。请用 Excel 或 WPS 重新保存。`,
        no_sheet: '它没有工作表。',
        control_character: `其中的 ${p.part ?? ''} 部分含有 XML 不允许的控制字符。`,
        runaway_row: `第 ${n(p.row ?? 0)} 行超过 ${n(p.max ?? 0)} 个字符仍未结束：通常是引号（"）没有闭合，或某个单元格过长。`,
        parse: '文件格式有误。请另存为 CSV（UTF-8）或 XLSX 后重试。',
      };
      return `无法读取该 ${p.kind} 文件：${why[p.cause]}`;
    },
    (p) => {
      const why: Record<Unreadable, string> = {
        xls_or_protected: 'it is an Excel 97–2003 (.xls) workbook or a password-protected one. Save it as .xlsx without a password, or as CSV, then import it.',
        not_zip: 'it is not a zip file, as an XLSX file is. An Excel 97–2003 (.xls) file or a password-protected workbook looks like this: save it as .xlsx without a password, or as CSV.',
        password: 'it is password-protected. Save it without a password, then import it.',
        damaged: `its part ${p.part ?? ''} is damaged.`,
        cut_short: `its part ${p.part ?? ''} is cut short.`,
        compression: `its part ${p.part ?? ''} is compressed in a way Gatepost cannot unpack. Save it again from Excel or WPS.`,
        missing_part: `it has no ${p.part ?? ''}, which every XLSX file has. Save it again from Excel or WPS.`,
        no_sheet: 'it has no sheet.',
        control_character: `its part ${p.part ?? ''} holds a control character that XML does not allow.`,
        runaway_row: `row ${n(p.row ?? 0)} runs on for more than ${n(p.max ?? 0)} characters. A quote (") that is never closed does this; so does a cell that is far too long.`,
        parse: 'it is malformed. Save it as CSV (UTF-8) or XLSX and try again.',
      };
      return `This ${p.kind} file cannot be read: ${why[p.cause]}${p.detail ? ` (${p.detail})` : ''}`;
    },
  ),
  empty_file: say(
    () => '文件没有表头：第一行应为列名，如 楼栋、单元、房号、姓名、手机号。',
    () => 'The file has no header row. The first row must name the columns, e.g. 楼栋, 单元, 房号, 姓名, 手机号.',
  ),
  missing_columns: say<{ missing: string[]; found: string[] }>(
    (p) => `表头缺少必需的列：${zhList(p.missing)}。找到的列：${p.found.length ? zhList(p.found) : '（无）'}。`,
    (p) => `The header row lacks: ${enList(p.missing)}. Found: ${p.found.length ? enList(p.found) : '(nothing)'}.`,
  ),
  import_rejected: say<{ rejected: number }>(
    (p) => `未导入任何数据：${n(p.rejected)} 行有错误。请修正，或选择只导入正确的行。`,
    (p) => `Nothing was imported: ${n(p.rejected)} row(s) have errors. Fix them, or choose to import the valid rows only.`,
  ),

  // --- a row of an import that is skipped (the import report's rows) ------------------------------------
  row_name_empty: say(() => '姓名为空', () => 'name is empty'),
  row_name_too_long: say<{ max: number }>((p) => `姓名超过${p.max}字`, (p) => `name longer than ${p.max} characters`),
  row_no_building: say<{ building: string }>((p) => `楼栋“${p.building}”不存在`, (p) => `no building named "${p.building}"`),
  row_room_empty: say(() => '房号为空', () => 'room is empty'),
  row_unit_required: say<{ building: string; units: number }>(
    (p) => `${p.building}有${p.units}个单元，请填写单元`,
    (p) => `${p.building} has ${p.units} units: the unit is required`,
  ),
  row_bad_phone: say<{ phone: string }>((p) => `手机号“${p.phone}”格式不对`, (p) => `phone "${p.phone}" is not a phone number`),
  row_bad_date: say<{ value: string }>((p) => `隔离日期“${p.value}”应为 2026-12-01 格式`, (p) => `quarantine date "${p.value}" must look like 2026-12-01`),
  row_duplicate: say<{ line: number }>((p) => `与第 ${p.line} 行重复`, (p) => `same person as line ${p.line}`),
  row_bad_sample_time: say<{ value: string }>(
    (p) => `采样时间“${p.value}”无法识别，应如 2026-12-01 08:30`,
    (p) => `sampling time "${p.value}" must look like 2026-12-01 08:30`,
  ),
  row_bad_result: say<{ value: string }>((p) => `结果“${p.value}”应为 阴性/阳性/待出`, (p) => `result "${p.value}" must be negative, positive or pending (阴性/阳性/待出)`),
  row_no_match: say(
    () => '本小区名单中找不到此人（按楼栋/单元/房号+姓名，或手机号+姓名）',
    () => 'no resident matches by address and name, or by phone and name',
  ),

  // --- records a tablet synced that the server refused (server/gate/ingest*.ts) --------------------------
  id_in_use: say(
    () => '另一台平板已用过这条记录的编号，本条未保存。请告知物业办公室。',
    () => 'Another tablet has already sent a record with this id, so this one was not stored. Tell the property office.',
  ),
  invalid_record: say<{ fields: string[] }>(
    (p) => `记录格式有误：${zhList(p.fields.map((f) => fieldName(f, 'zh')))}`,
    (p) => `The record is malformed: ${enList(p.fields)}`,
  ),
  implausible_time: say<{ at: string; what: 'record' | 'sample' }>(
    (p) => (p.what === 'sample' ? `采样时间 ${p.at} 在未来：请核对结果上的日期和时间。` : `这条记录的时间是 ${p.at}，不可能正确：请检查平板的日期、时间和时区。`),
    (p) =>
      p.what === 'sample'
        ? `The sample time ${p.at} is in the future: check the date and time on the result.`
        : `This record says it was made at ${p.at}, which cannot be right: check the tablet's date, time and time zone.`,
  ),
  unknown_volunteer: say<{ id: number }>((p) => `用户 ${p.id} 不是本小区的志愿者。`, (p) => `User ${p.id} is not a volunteer of this compound.`),
  unknown_gate: say<{ id: number }>((p) => `门岗 ${p.id} 不属于本小区。`, (p) => `Gate ${p.id} is not a gate of this compound.`),
  unknown_resident: say<{ id: number }>((p) => `居民 ${p.id} 不在本小区名单中。`, (p) => `Resident ${p.id} is not on this compound's roster.`),
  unknown_household: say<{ id: number }>((p) => `住户 ${p.id} 不属于本小区。`, (p) => `Household ${p.id} is not in this compound.`),
  unknown_check: say<{ id: string }>((p) => `本小区没有通行记录 ${p.id}。`, (p) => `There is no gate check ${p.id} in this compound.`),
  unknown_shift: say<{ id: string }>((p) => `本小区的平板上没有班次 ${p.id}。`, (p) => `There is no shift ${p.id} on this compound's tablets.`),
  unknown_place: say<{ kind: 'building' | 'point'; id: number }>(
    (p) => `本小区没有${zhThing(p.kind)} ${p.id}。`,
    (p) => `There is no ${enThing(p.kind)} ${p.id} in this compound.`,
  ),
  shift_already_ended: say(() => '该班次已结束。', () => 'That shift has already been ended.'),
  slot_not_begun: say<{ date: string; time: string }>(
    (p) => `${p.date} ${p.time} 这一轮消杀还没开始，不能提前记为完成：请记在当前应做的一轮。`,
    (p) => `The ${p.date} ${p.time} round has not begun yet: it cannot be done before it starts. Record it for the round that is due now.`,
  ),

  // --- field issues (details of invalid_input, one per field) -------------------------------------------
  required: say(() => '必填', () => 'required'),
  not_empty: say(() => '不能为空', () => 'must not be empty'),
  too_short: say<{ min: number }>((p) => `至少 ${n(p.min)} 个字符`, (p) => `at least ${n(p.min)} characters`),
  too_long: say<{ max: number }>((p) => `最多 ${n(p.max)} 个字符`, (p) => `at most ${n(p.max)} characters`),
  too_few: say<{ min: number }>((p) => `至少 ${n(p.min)} 项`, (p) => `at least ${n(p.min)} items`),
  too_many: say<{ max: number }>((p) => `最多 ${n(p.max)} 项`, (p) => `at most ${n(p.max)} items`),
  too_small: say<{ min: number }>((p) => `不能小于 ${n(p.min)}`, (p) => `must be >= ${n(p.min)}`),
  too_big: say<{ max: number }>((p) => `不能大于 ${n(p.max)}`, (p) => `must be <= ${n(p.max)}`),
  wrong_type: say<{ expected: string }>(
    (p) => `类型不对，应为${({ string: '文字', number: '数字', boolean: '是/否', array: '列表', object: '对象' } as Record<string, string>)[p.expected] ?? p.expected}`,
    (p) => `expected ${p.expected}`,
  ),
  bad_format: say<{ format: string }>(
    (p) => `格式不对${({ datetime: '，应为带时区的时间，如 2026-12-01T08:00:00+08:00', email: '，应为电子邮箱', uuid: '，应为 UUID' } as Record<string, string>)[p.format] ?? ''}`,
    (p) => `not a valid ${p.format}`,
  ),
  not_one_of: say<{ options: string[] }>((p) => `应为以下之一：${zhList(p.options)}`, (p) => `one of: ${enList(p.options)}`),
  unknown_keys: say<{ keys: string[] }>((p) => `不认识的字段：${zhList(p.keys)}`, (p) => `unknown field(s): ${enList(p.keys)}`),
  invalid: say(() => '无效', () => 'not valid'),
  whole_number: say(() => '应为整数，如 12，前后不能有其他字符', () => 'a whole number like 12, with nothing around it'),
  date_format: say(() => '应为日期，如 2026-12-01', () => 'a date like 2026-12-01'),
  time_format: say(() => '应为时间，如 06:00', () => 'a time like 06:00'),
  phone_format: say(() => '应为手机号，只含数字，如 13812345678', () => 'a phone number: digits only, e.g. 13812345678'),
  pin_format: say(() => '应为6位数字', () => 'exactly 6 digits'),
  time_zone: say(() => '不是已知的时区，如 Asia/Shanghai', () => 'not a known time zone, e.g. Asia/Shanghai'),
  time_zone_named: say<{ known: string }>((p) => `不是时区数据库中的名称：是否应为 ${p.known}？`, (p) => `not a time zone name: did you mean ${p.known}?`),
  uuid_v7: say(() => '应为平板生成的 UUIDv7', () => 'a UUIDv7 made on the device'),
  each_once: say(() => '每项只能出现一次', () => 'each one once'),
  attach_file: say(() => '请在名为 file 的字段中附上文件', () => 'attach the file in a field named "file"'),
  code_or_resident: say(() => '扫码或选择居民，二者只能选一', () => 'give either the scanned code or the resident, not both'),
  needs_code: say(() => '扫码记录需要通行码', () => 'a scanned check needs the code'),
  needs_resident: say(() => '按楼栋房号查询需要选择居民', () => 'a look-up needs the resident'),
  needs_visitor: say(() => '访客需要姓名、手机号和事由', () => 'a visitor needs name, phone and reason'),
  needs_skip_reason: say(() => '跳过本轮须说明原因', () => 'a skipped round needs its reason'),
  temperature_or_normal: say(() => '体温读数与“体温正常”只能二选一', () => 'either a temperature or "normal", not both'),
  passed_needs_override: say(() => '核验未放行却记为通行：须有人工放行及原因', () => 'passed without an allow verdict needs an override'),
  needs_area: say(() => '已完成的消杀至少勾选一个区域', () => 'a done round ticks at least one area'),
  finished_before_start: say(() => '完成时间早于开始时间', () => 'finished before it started'),
  office_sign_in: say<{ role: Role }>(
    (p) => `${ROLE_WORDS[p.role][0]}在办公室端登录：请填写用户名和密码`,
    (p) => `a ${ROLE_WORDS[p.role][1]} signs in at the office: give a username and a password`,
  ),
  tablet_sign_in: say(() => '志愿者在平板上登录：请填写手机号和6位PIN码', () => 'a volunteer signs in on a tablet: give a phone number and a 6-digit PIN'),
  exactly_one_compound: say(() => '志愿者只能属于一个小区', () => 'a volunteer belongs to exactly one compound'),
  at_least_one_compound: say(() => '物业经理至少要管理一个小区', () => 'a manager needs at least one compound'),
  no_compounds: say<{ role: Role }>(
    (p) => `${ROLE_WORDS[p.role][0]}可查看所有小区，请不要选择小区`,
    (p) => `a ${ROLE_WORDS[p.role][1]} sees every compound; leave compounds empty`,
  ),
  date_in_past: say(() => '截止日期不能早于今天', () => 'the date cannot be before today'),
  unknown_buildings: say<{ ids: string[] }>((p) => `本小区没有这些楼栋：${zhList(p.ids)}`, (p) => `no such building(s) in this compound: ${enList(p.ids)}`),
  unknown_compounds: say<{ ids: string[] }>((p) => `没有这些小区：${zhList(p.ids)}`, (p) => `unknown compound(s): ${enList(p.ids)}`),
  in_the_past: say(() => '生效时间不能早于现在：否则会改写已经到期的消杀轮次', () => 'a schedule change cannot start in the past: it would rewrite rounds already due'),
  ends_before_start: say(() => '结束早于开始：“结束”须不早于“开始”', () => 'the range ends before it starts: "to" must be on or after "from"'),
  window_ends_before_start: say(() => '结束早于开始：“结束”须晚于“开始”', () => 'the window ends before it starts: "to" must be after "from"'),
  local_date_time: say(() => '应为本地日期和时间，如 2026-11-28 08:00', () => 'a local date and time, like 2026-11-28 08:00'),
  range_too_long: say<{ maxDays: number }>((p) => `一次最多 ${n(p.maxDays)} 天，请拆分时间范围`, (p) => `at most ${n(p.maxDays)} days at once: split the range`),
};

export type MessageCode = keyof typeof MESSAGES;
export type MessageParams<C extends MessageCode> = (typeof MESSAGES)[C] extends Entry<infer P> ? P : never;
/** A code with its params, as errors and rejections carry it. */
export type Message = { [C in MessageCode]: { code: C; params: MessageParams<C> } }[MessageCode];

export function isMessageCode(code: unknown): code is MessageCode {
  return typeof code === 'string' && Object.hasOwn(MESSAGES, code);
}

/** A catalogued code's text in `lang`; undefined for a code the catalogue does not have (an older or newer server). */
export function messageText(m: { code: string; params?: unknown }, lang: Lang): string | undefined {
  // No params: a record refused by a server older than the catalogue; its own message is all there is.
  if (!isMessageCode(m.code) || m.params === undefined) return undefined;
  const entry = MESSAGES[m.code] as Entry<Params>;
  try {
    return entry[lang]((m.params ?? {}) as Params);
  } catch {
    return undefined; // params of another shape (a server of another version): the caller falls back
  }
}

/**
 * A schema's own message, as a catalogue code (`z.string().regex(RE, issue('phone_format'))`): the
 * validator reads it back as the field issue's code.
 */
export const issue = (code: MessageCode): string => code;

/** The English text the server puts in `message`, for API users and logs. */
export function englishText<C extends MessageCode>(code: C, params: MessageParams<C>): string {
  return (MESSAGES[code] as Entry<MessageParams<C>>).en(params);
}
