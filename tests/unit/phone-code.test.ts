import { generateKeyPairSync, sign, verify } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../server/core/code.js';
import { type DecideInput, decide, type GateFacts } from '../../server/core/decide.js';
import { reasonText } from '../../server/core/i18n.js';
import { isPublicKey, judgeStep, parsePhoneCode, parseScanned, phoneCodeMessage, stepAt } from '../../server/core/phone-code.js';
import { defaultPolicy, type PolicyRules } from '../../server/core/policy.js';

ed.hashes.sha512 = sha512;

/** 2026-12-01 10:00:07 in Shanghai: 7 s into a 15 s step. */
const NOW = Date.parse('2026-12-01T02:00:07Z');
const phone = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const rawPublic = (k: typeof phone) => k.publicKey.export({ format: 'jwk' }).x!;

/** The phone's code for the step of `at` (as the phone page makes it). */
function codeAt(at: number, o: { key?: typeof phone; passId?: number; compoundId?: number; stepSeconds?: number } = {}): string {
  const stepSeconds = o.stepSeconds ?? 15;
  const message = phoneCodeMessage({ passId: o.passId ?? 7, compoundId: o.compoundId ?? 1, stepSeconds, step: stepAt(at, stepSeconds) });
  return `${message}.${toBase64Url(sign(null, Buffer.from(message), (o.key ?? phone).privateKey))}`;
}

/** What a tablet or the server finds checking the signature against the pass's phone key. */
function signatureOf(text: string, publicKey: string | undefined): 'valid' | 'invalid' | 'unknown_key' {
  const code = parsePhoneCode(text);
  if (!code) return 'invalid';
  if (!publicKey) return 'unknown_key';
  // The tablet's library and the server's node:crypto agree: checked with both.
  const noble = ed.verify(fromBase64Url(code.signature), new TextEncoder().encode(code.message), fromBase64Url(publicKey));
  const node = verify(null, Buffer.from(code.message), { key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' }, Buffer.from(fromBase64Url(code.signature)));
  expect(noble).toBe(node);
  return noble ? 'valid' : 'invalid';
}

const facts = (o: Partial<GateFacts> = {}): GateFacts => ({
  pass: { id: 7, residentId: 70, status: 'active' },
  resident: { id: 70, householdId: 700 },
  household: { id: 700, quarantineUntil: null },
  test: { sampledAt: NOW - 20 * 3_600_000, result: 'negative' },
  householdExits: [],
  lastPassage: { direction: 'in', at: NOW - 5 * 3_600_000 },
  ...o,
});

function judge(text: string, o: { now?: number; key?: string | undefined; policy?: Partial<PolicyRules>; facts?: Partial<GateFacts> } = {}) {
  const input: DecideInput = {
    now: o.now ?? NOW,
    direction: 'out',
    compoundId: 1,
    timezone: 'Asia/Shanghai',
    policy: { ...defaultPolicy('2026-11-01'), ...o.policy },
    rosterAgeMs: 60_000,
    subject: { kind: 'code', code: parseScanned(text), signature: signatureOf(text, 'key' in o ? o.key : rawPublic(phone)) },
    facts: facts(o.facts),
  };
  return decide(input);
}

describe('the rotating code', () => {
  it('a live code from the pass’s phone passes, and its clock difference is reported', () => {
    const d = judge(codeAt(NOW));
    expect(d.verdict).toBe('allow');
    expect(d.passId).toBe(7);
    expect(d.phoneSkewSeconds).toBe(0);
    // Shown 20 s later (one step and a bit): still the live code, 15 s off.
    const later = judge(codeAt(NOW), { now: NOW + 20_000 });
    expect(later.verdict).toBe('allow');
    expect(later.phoneSkewSeconds).toBe(15);
  });

  it('the tolerance is ± toleranceSteps steps, at its exact edges', () => {
    const s = stepAt(NOW, 15) * 15_000; // start of the current step
    expect(judgeStep({ step: stepAt(s, 15) - 2, stepSeconds: 15 }, s, { staticCards: 'all', stepSeconds: 15, toleranceSteps: 2 })).toEqual({ status: 'live', skewSeconds: 30 });
    expect(judgeStep({ step: stepAt(s, 15) - 3, stepSeconds: 15 }, s, { staticCards: 'all', stepSeconds: 15, toleranceSteps: 2 })).toEqual({ status: 'stale', skewSeconds: 45 });
    expect(judgeStep({ step: stepAt(s, 15) + 2, stepSeconds: 15 }, s, { staticCards: 'all', stepSeconds: 15, toleranceSteps: 2 })).toEqual({ status: 'live', skewSeconds: -30 });
    expect(judgeStep({ step: stepAt(s, 15) + 3, stepSeconds: 15 }, s, { staticCards: 'all', stepSeconds: 15, toleranceSteps: 2 })).toEqual({ status: 'future', skewSeconds: -45 });
    // Zero tolerance: only the current step.
    expect(judgeStep({ step: stepAt(s, 15) - 1, stepSeconds: 15 }, s, { staticCards: 'all', stepSeconds: 15, toleranceSteps: 0 }).status).toBe('stale');
  });

  it('a stale code (a screenshot taken 2 minutes ago) is checked by hand: 动态码已过期，请出示实时码', () => {
    const d = judge(codeAt(NOW - 120_000));
    expect(d.verdict).toBe('review');
    expect(d.reasons).toEqual([{ code: 'phone_code_expired', skewSeconds: 120 }]);
    expect(reasonText(d.reasons[0]!, 'zh', 'Asia/Shanghai')).toContain('动态码已过期，请出示实时码');
    expect(reasonText(d.reasons[0]!, 'zh', 'Asia/Shanghai')).toContain('2分钟前');
    expect(d.phoneSkewSeconds).toBe(120);
  });

  it('a replay of an old step (a code seen at the gate earlier, shown again) is stale too', () => {
    const seen = codeAt(NOW);
    expect(judge(seen).verdict).toBe('allow');
    const replay = judge(seen, { now: NOW + 60_000 });
    expect(replay.verdict).toBe('review');
    expect(replay.reasons.map((r) => r.code)).toEqual(['phone_code_expired']);
  });

  it('a code from the future (the phone’s clock ahead) is checked by hand, with the difference said', () => {
    const d = judge(codeAt(NOW + 5 * 60_000));
    expect(d.verdict).toBe('review');
    expect(d.reasons).toEqual([{ code: 'phone_clock_ahead', skewSeconds: -300 }]);
    expect(reasonText(d.reasons[0]!, 'zh', 'Asia/Shanghai')).toBe('手机时间比本机快5分钟，请核对手机时间');
  });

  it('a code signed by another key (another phone, one unbound since) is a denial no volunteer overrides', () => {
    const d = judge(codeAt(NOW, { key: other }));
    expect(d.verdict).toBe('deny');
    expect(d.reasons.map((r) => r.code)).toEqual(['phone_key_wrong']);
    expect(d.canOverride).toBe(false);
    // Even with a policy listing every overridable reason.
    expect(judge(codeAt(NOW, { key: other }), { policy: { overridable: ['person_unknown', 'test_expired'] } }).canOverride).toBe(false);
  });

  it('a tampered step (the signature no longer covers it) is a wrong-key denial', () => {
    const text = codeAt(NOW - 120_000);
    const parts = text.split('.');
    parts[4] = stepAt(NOW, 15).toString(36);
    expect(judge(parts.join('.')).reasons.map((r) => r.code)).toEqual(['phone_key_wrong']);
  });

  it('a pass with no phone in this roster (activated after it) is checked by hand', () => {
    const d = judge(codeAt(NOW), { key: undefined });
    expect(d.verdict).toBe('review');
    expect(d.reasons.map((r) => r.code)).toEqual(['phone_unknown']);
  });

  it('another compound’s phone code is foreign; a revoked pass is still revoked', () => {
    expect(judge(codeAt(NOW, { compoundId: 2 })).reasons.map((r) => r.code)).toEqual(['code_foreign']);
    expect(judge(codeAt(NOW), { facts: { pass: { id: 7, residentId: 70, status: 'revoked' } } }).reasons.map((r) => r.code)).toEqual(['pass_revoked']);
  });

  it('a live phone code is then judged by the same rules as a card (test, quota)', () => {
    const d = judge(codeAt(NOW), { facts: { test: { sampledAt: NOW - 50 * 3_600_000, result: 'negative' } } });
    expect(d.reasons.map((r) => r.code)).toEqual(['test_expired']);
  });

  it('a code made with another step length is judged by its own clock', () => {
    expect(judge(codeAt(NOW, { stepSeconds: 30 })).verdict).toBe('allow');
    expect(judge(codeAt(NOW - 120_000, { stepSeconds: 30 })).reasons.map((r) => r.code)).toEqual(['phone_code_expired']);
  });
});

describe('printed cards under the phone-pass policy', () => {
  const card = { kind: 'pass' as const, kid: 'k1', passId: 7, compoundId: 1, issuedAt: NOW - 86_400_000, message: 'm', signature: 's' };
  const withCard = (staticCards: 'all' | 'no_phone' | 'none', noPhone: boolean) =>
    decide({
      now: NOW,
      direction: 'out',
      compoundId: 1,
      timezone: 'Asia/Shanghai',
      policy: { ...defaultPolicy('2026-11-01'), phonePass: { staticCards, stepSeconds: 15, toleranceSteps: 2 } },
      rosterAgeMs: 60_000,
      subject: { kind: 'code', code: card, signature: 'valid' },
      facts: facts({ resident: { id: 70, householdId: 700, noPhone } }),
    });
  it.each([
    ['all', false, 'allow'],
    ['no_phone', true, 'allow'],
    ['no_phone', false, 'deny'],
    ['none', true, 'deny'],
  ] as const)('cards %s, resident without phone %s: %s', (staticCards, noPhone, verdict) => {
    const d = withCard(staticCards, noPhone);
    expect(d.verdict).toBe(verdict);
    if (verdict === 'deny') expect(d.reasons.map((r) => r.code)).toEqual(['static_card_refused']);
  });
  it('a policy written before phone passes accepts every card', () => {
    const { phonePass: _, ...old } = defaultPolicy('2026-11-01');
    expect(decide({ now: NOW, direction: 'out', compoundId: 1, timezone: 'Asia/Shanghai', policy: old, rosterAgeMs: 0, subject: { kind: 'code', code: card, signature: 'valid' }, facts: facts() }).verdict).toBe('allow');
  });
});

describe('a phone code has exactly one accepted text', () => {
  const text = codeAt(NOW);
  const swap = (index: number, part: string) => text.split('.').map((p, i) => (i === index ? part : p)).join('.');
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = B64.indexOf(text.at(-1)!);
  const sigVariants = Array.from({ length: 16 }, (_, low) => B64[(last & 0b110000) | low]!)
    .filter((c) => c !== text.at(-1))
    .map((c) => text.slice(0, -1) + c);

  it('the canonical text parses, and is not taken for a printed pass', () => {
    expect(parsePhoneCode(text)).toMatchObject({ kind: 'phone', passId: 7, compoundId: 1, stepSeconds: 15, step: stepAt(NOW, 15) });
    expect(parseScanned(text)?.kind).toBe('phone');
  });

  it.each([
    ['pass id with a leading zero', swap(1, '07')],
    ['compound id with a leading zero', swap(2, '01')],
    ['step length with a leading zero', swap(3, '0f')],
    ['step with a leading zero', swap(4, `0${stepAt(NOW, 15).toString(36)}`)],
    ['upper case step', swap(4, stepAt(NOW, 15).toString(36).toUpperCase())],
    ['lower case prefix', text.replace('GM1', 'gm1')],
    ['a step length out of range', swap(3, (61).toString(36))],
    ['a zero pass id', swap(1, '0')],
    ['a negative step', swap(4, `-${stepAt(NOW, 15).toString(36)}`)],
    ['leading space', ` ${text}`],
    ['trailing newline', `${text}\n`],
    ['an extra field', `${text}.x`],
    ['a missing field', text.split('.').filter((_, i) => i !== 3).join('.')],
    ['base64 padding', `${text}==`],
    ['standard base64 alphabet', swap(5, text.split('.')[5]!.replace(/-/g, '+').replace(/_/g, '/'))],
    ...sigVariants.map((v, i): [string, string] => [`signature unused-bits variant ${i + 1}`, v]),
  ])('refuses %s', (_name, variant) => {
    if (variant === text) return;
    expect(parsePhoneCode(variant)).toBeNull();
  });

  it('a public key is 32 bytes in canonical base64url', () => {
    const k = rawPublic(phone);
    expect(isPublicKey(k)).toBe(true);
    expect(isPublicKey(`${k}=`)).toBe(false);
    expect(isPublicKey(k.slice(0, 42))).toBe(false);
    expect(isPublicKey(toBase64Url(new Uint8Array(31)))).toBe(false);
  });
});
