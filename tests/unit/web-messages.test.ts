import { describe, expect, it } from 'vitest';
import { RetryableError } from '../../web/src/tablet/outbox';
import { ApiError } from '../../web/src/client';
import { errorText, issueText, rejectionText } from '../../web/src/messages';

// What the web app shows for a server's error: the catalogue's words in the UI's language, the server's
// English message only for a code this build does not know.
describe('errors as the web app shows them', () => {
  const taken = new ApiError(409, 'name_taken', 'A building named "1号楼" already exists here. Choose another name.', undefined, { what: 'building', name: '1号楼' });

  it('says a server error in the UI language', () => {
    expect(errorText(taken, 'zh')).toBe('本小区已有名为“1号楼”的楼栋，请换一个名称。');
    expect(errorText(taken, 'en')).toBe('A building named "1号楼" already exists here. Choose another name.');
  });

  it("falls back to the server's message only for a code it does not know", () => {
    expect(errorText(new ApiError(409, 'a_code_of_a_newer_server', 'That slot has not begun.', undefined, {}), 'zh')).toBe('That slot has not begun.');
  });

  it('says a network failure, also behind the tablet\'s retry wrapper', () => {
    expect(errorText(new TypeError('Failed to fetch'), 'zh')).toBe('无法连接服务器');
    expect(errorText(new RetryableError('Failed to fetch', { cause: new TypeError('Failed to fetch') }), 'zh')).toBe('无法连接服务器');
    const down = new ApiError(500, 'internal', 'Something went wrong on the server. It has been logged.', undefined, {});
    expect(errorText(new RetryableError(down.message, { cause: down }), 'zh')).toBe('服务器出错了，已记录在日志中。');
  });

  it('names a field and its issue', () => {
    expect(issueText({ path: 'floorCount', code: 'too_small', params: { min: 1 }, message: 'must be >= 1' }, 'zh')).toEqual({ field: '楼层数', text: '不能小于 1' });
    expect(issueText({ path: 'floorCount', message: 'must be >= 1' }, 'zh')).toEqual({ field: '楼层数', text: 'must be >= 1' });
  });

  it('says why the server refused a record, and an old rejection (no params) by its message', () => {
    expect(rejectionText({ code: 'unknown_gate', params: { id: 4 }, message: 'Gate 4 is not a gate of this compound.' }, 'zh')).toBe('门岗 4 不属于本小区。');
    expect(rejectionText({ code: 'unknown_gate', message: 'Gate 4 is not a gate of this compound.' }, 'zh')).toBe('Gate 4 is not a gate of this compound.');
    expect(rejectionText(null, 'zh')).toBe('');
  });
});
