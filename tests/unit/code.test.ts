import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, parseCode, passMessage, placardMessage, toBase64Url, withSignature } from '../../server/core/code.js';

// A real Ed25519 signature, so the variants below are ones a verifier would accept.
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signed = (message: string) => withSignature(message, toBase64Url(sign(null, Buffer.from(message), privateKey)));
const issuedAt = Date.parse('2026-11-28T08:00:00Z');
const pass = signed(passMessage({ kid: 'k1', passId: 1234, compoundId: 7, issuedAt }));
const placard = signed(placardMessage({ kid: 'k1', target: { kind: 'point', id: 42 }, compoundId: 7, issuedAt }));

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The 15 other texts whose last character differs only in the 4 bits the 64-byte signature does not use. */
function sameSignatureTexts(code: string): string[] {
  const last = B64.indexOf(code.at(-1)!);
  return Array.from({ length: 16 }, (_, low) => B64[(last & 0b110000) | low]!)
    .filter((c) => c !== code.at(-1))
    .map((c) => code.slice(0, -1) + c);
}
const swap = (code: string, index: number, part: string) => code.split('.').map((p, i) => (i === index ? part : p)).join('.');

describe('a code has exactly one accepted text', () => {
  it('the canonical texts parse', () => {
    expect(parseCode(pass)).toMatchObject({ kind: 'pass', passId: 1234, compoundId: 7, issuedAt });
    expect(parseCode(placard)).toMatchObject({ kind: 'placard', target: { kind: 'point', id: 42 }, compoundId: 7 });
  });

  it('the variants of the signature still verify (which is why the parser must refuse them)', () => {
    const variant = sameSignatureTexts(pass)[0]!;
    const [message, sig] = [variant.slice(0, variant.lastIndexOf('.')), variant.slice(variant.lastIndexOf('.') + 1)];
    expect(verify(null, Buffer.from(message), publicKey, Buffer.from(fromBase64Url(sig)))).toBe(true);
  });

  const variants: [string, string][] = [
    ...sameSignatureTexts(pass).map((v, i): [string, string] => [`signature, last character variant ${i + 1}`, v]),
    ...sameSignatureTexts(placard).map((v, i): [string, string] => [`placard signature variant ${i + 1}`, v]),
    ['pass id with a leading zero', swap(pass, 2, `0${(1234).toString(36)}`)],
    ['compound id with a leading zero', swap(pass, 3, '07')],
    ['issued time with a leading zero', swap(pass, 4, `0${Math.floor(issuedAt / 1000).toString(36)}`)],
    ['placard id with a leading zero', swap(placard, 2, `p0${(42).toString(36)}`)],
    ['upper case number', swap(pass, 2, (1234).toString(36).toUpperCase())],
    ['upper case prefix', pass.replace('GP1', 'gp1')],
    ['leading space', ` ${pass}`],
    ['trailing space', `${pass} `],
    ['trailing newline', `${pass}\n`],
    ['trailing dot', `${pass}.`],
    ['base64 padding', `${pass}==`],
    ['standard base64 alphabet', pass.replace(/-/g, '+').replace(/_/g, '/')],
    ['a zero id', swap(pass, 2, '0')],
  ];
  it.each(variants)('refuses %s', (_name, text) => {
    if (text === pass) return; // a variant that happens not to apply to this signature
    expect(parseCode(text)).toBeNull();
  });
});
