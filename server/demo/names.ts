import type { Random } from './random.js';

// Common surnames, most frequent first, with rough weights: 王李张刘陈 cover about a third of China.
const SURNAMES: [string, number][] = [
  ['王', 72], ['李', 71], ['张', 68], ['刘', 55], ['陈', 46], ['杨', 32], ['黄', 24], ['赵', 22], ['吴', 21], ['周', 20],
  ['徐', 15], ['孙', 15], ['马', 14], ['朱', 13], ['胡', 12], ['郭', 11], ['何', 10], ['高', 10], ['林', 10], ['罗', 9],
  ['郑', 9], ['梁', 8], ['谢', 7], ['宋', 7], ['唐', 7], ['许', 6], ['韩', 6], ['冯', 6], ['邓', 6], ['曹', 5],
  ['彭', 5], ['曾', 5], ['肖', 5], ['田', 5], ['董', 5], ['袁', 4], ['潘', 4], ['于', 4], ['蒋', 4], ['蔡', 4],
  ['余', 4], ['杜', 4], ['叶', 4], ['程', 4], ['苏', 3], ['魏', 3], ['吕', 3], ['丁', 3], ['任', 3], ['沈', 3],
  ['姚', 3], ['卢', 3], ['姜', 3], ['崔', 3], ['钟', 3], ['谭', 3], ['陆', 3], ['汪', 2], ['范', 2], ['金', 2],
  ['石', 2], ['廖', 2], ['贾', 2], ['夏', 2], ['韦', 2], ['方', 2], ['白', 2], ['邹', 2], ['孟', 2], ['熊', 2],
  ['秦', 2], ['邱', 2], ['江', 2], ['尹', 2], ['薛', 2], ['段', 2], ['雷', 2], ['侯', 2], ['龙', 2], ['史', 2],
  ['欧阳', 1], ['司马', 0.3], ['上官', 0.2],
];

const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建文辉玲志宏红梅鹏飞斌波宇浩凯晨欣怡子轩梓涵雨萱浩然思远博文佳琪嘉怡一诺子墨语桐诗涵晓东海燕国庆春生秋菊冬梅立新卫东振华';

/** A plausible Chinese personal name: a surname and one or two given characters. */
export function chineseName(rng: Random): string {
  const surname = rng.weighted(SURNAMES);
  const pick = () => GIVEN[rng.int(0, GIVEN.length - 1)]!;
  return surname + (rng.chance(0.7) ? pick() + pick() : pick());
}

/** A mobile number in a plausible range (13x–19x). */
export function mobile(rng: Random): string {
  return `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
}
