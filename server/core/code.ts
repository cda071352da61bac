/**
 * The codes Gatepost prints: passes (GP1) and disinfection placards (GD1). Text, so any QR reader and any
 * keyboard-wedge scanner can carry them; small, so the QR stays easy to scan at a cold gate:
 *
 *   GP1.<kid>.<pass id>.<compound id>.<issued, unix seconds>.<Ed25519 signature, base64url>
 *   GD1.<kid>.<b|p><building or point id>.<compound id>.<issued>.<signature>
 *
 * Numbers are base 36. The signature covers everything before the last dot. Pure: signing and verifying
 * are done by the platform (node:crypto on the server, @noble/ed25519 on the tablet).
 */
export type CodeKind = 'pass' | 'placard';

export interface PassCode {
  kind: 'pass';
  kid: string;
  passId: number;
  compoundId: number;
  issuedAt: number; // epoch ms
  /** The signed text and its signature. */
  message: string;
  signature: string;
}

export interface PlacardCode {
  kind: 'placard';
  kid: string;
  target: { kind: 'building' | 'point'; id: number };
  compoundId: number;
  issuedAt: number;
  message: string;
  signature: string;
}

export type ParsedCode = PassCode | PlacardCode;

const PREFIX: Record<CodeKind, string> = { pass: 'GP1', placard: 'GD1' };
const B36 = /^[0-9a-z]{1,12}$/;
const KID = /^[0-9a-z]{1,8}$/;
const SIG = /^[A-Za-z0-9_-]{86}$/; // 64 bytes

const b36 = (n: number) => n.toString(36);

function num(s: string | undefined): number | null {
  if (!s || !B36.test(s)) return null;
  const n = Number.parseInt(s, 36);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The text to sign for a pass. */
export function passMessage(p: { kid: string; passId: number; compoundId: number; issuedAt: number }): string {
  return [PREFIX.pass, p.kid, b36(p.passId), b36(p.compoundId), b36(Math.floor(p.issuedAt / 1000))].join('.');
}

/** The text to sign for a placard. */
export function placardMessage(p: { kid: string; target: { kind: 'building' | 'point'; id: number }; compoundId: number; issuedAt: number }): string {
  const target = (p.target.kind === 'building' ? 'b' : 'p') + b36(p.target.id);
  return [PREFIX.placard, p.kid, target, b36(p.compoundId), b36(Math.floor(p.issuedAt / 1000))].join('.');
}

export function withSignature(message: string, signature: string): string {
  return `${message}.${signature}`;
}

/**
 * Parse a scanned text; null when it is not one of our codes (a shop's QR, a typo, a torn card) or is not
 * written exactly as we write it. One code has exactly one accepted text: a number with a leading zero, a
 * stray space, or a signature whose last character differs only in its unused bits decodes to the same
 * values, and would otherwise be a second, different-looking text for the same pass (one that a lookup by
 * text would not recognise). So the parsed values are written out again and must give the same text back.
 */
export function parseCode(text: string): ParsedCode | null {
  const parsed = parseLoose(text);
  return parsed && canonicalText(parsed) === text ? parsed : null;
}

/** The one text a parsed code is written as. */
export function canonicalText(code: ParsedCode): string {
  const message = code.kind === 'pass' ? passMessage(code) : placardMessage(code);
  return withSignature(message, canonicalSignature(code.signature));
}

/**
 * A signature as it is written: 86 base64url characters carry 516 bits for 64 bytes, so the last one's
 * 4 low bits are unused and written as zeros (the last character is one of A, Q, g, w). The same as
 * `toBase64Url(fromBase64Url(s))` for any 86-character base64url text, without decoding it (the sync
 * profile found the decode at a tenth of a batch's time on the server).
 */
function canonicalSignature(s: string): string {
  if (s.length !== 86) return toBase64Url(fromBase64Url(s));
  const last = B64URL.indexOf(s[85]!);
  return last & 15 ? s.slice(0, 85) + B64URL[last & 48] : s;
}
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function parseLoose(text: string): ParsedCode | null {
  const parts = text.split('.');
  if (parts.length !== 6) return null;
  const [prefix, kid, idPart, compound, issued, signature] = parts as [string, string, string, string, string, string];
  if (!KID.test(kid) || !SIG.test(signature)) return null;
  const compoundId = num(compound);
  const issuedSec = num(issued);
  if (compoundId === null || issuedSec === null) return null;
  const message = parts.slice(0, 5).join('.');
  if (prefix === PREFIX.pass) {
    const passId = num(idPart);
    if (passId === null) return null;
    return { kind: 'pass', kid, passId, compoundId, issuedAt: issuedSec * 1000, message, signature };
  }
  if (prefix === PREFIX.placard) {
    const which = idPart[0];
    const id = num(idPart.slice(1));
    if ((which !== 'b' && which !== 'p') || id === null) return null;
    return { kind: 'placard', kid, target: { kind: which === 'b' ? 'building' : 'point', id }, compoundId, issuedAt: issuedSec * 1000, message, signature };
  }
  return null;
}

/** base64url <-> bytes, without Buffer (the tablet has none). */
export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
