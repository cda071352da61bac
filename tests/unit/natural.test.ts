import { describe, expect, it } from 'vitest';
import { compareNatural, sortNaturally } from '../../server/core/natural.js';

const sorted = (names: string[]) => [...names].sort(compareNatural);

describe('names with numbers sort the way people count (issue 12)', () => {
  it.each([
    [['19号楼', '1号楼', '10号楼', '2号楼', '9号楼'], ['1号楼', '2号楼', '9号楼', '10号楼', '19号楼']],
    [['2号楼3单元', '2号楼10单元', '2号楼1单元'], ['2号楼1单元', '2号楼3单元', '2号楼10单元']],
    [['东门', '1号门', '西门', '10号门', '2号门'], ['1号门', '2号门', '10号门', '东门', '西门']],
    [['B区2栋', 'A区10栋', 'A区2栋'], ['A区2栋', 'A区10栋', 'B区2栋']],
    [['东门平板10', '东门平板2', '东门平板1'], ['东门平板1', '东门平板2', '东门平板10']],
    [['１２号楼', '３号楼', '10号楼'], ['３号楼', '10号楼', '１２号楼']],
    [['采样点', '1号楼'], ['1号楼', '采样点']],
  ])('%j → %j', (input, expected) => expect(sorted(input)).toEqual(expected));

  it('never calls two different names equal, and is a total order', () => {
    expect(compareNatural('02号楼', '2号楼')).not.toBe(0);
    expect(compareNatural('2号楼', '2号楼')).toBe(0);
    const names = ['1号楼', '01号楼', '1号楼A', '1号楼 ', '楼1', 'a', 'A', '2'];
    const once = sorted(names);
    expect(sorted([...names].reverse())).toEqual(once);
  });

  it('sorts records by a chosen key, leaving the input alone', () => {
    const input = [{ name: '11号楼' }, { name: '3号楼' }];
    expect(sortNaturally(input).map((b) => b.name)).toEqual(['3号楼', '11号楼']);
    expect(input[0]!.name).toBe('11号楼');
  });
});
