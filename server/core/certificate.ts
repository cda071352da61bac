/**
 * The deletion certificate (数据销毁证明), as a file: `{ certificate, signature }`, written in exactly one
 * form (certificateText). It is checked against the installation's Ed25519 public key, pinned by its
 * fingerprint (SHA-256 of the raw 32-byte key, hex): the key in the certificate is used only when its
 * fingerprint is the pinned one, so a certificate cannot vouch for itself. The checks are here, once; the
 * server (node:crypto), the command line and the office page (@noble) hand in their SHA-256 and Ed25519.
 */

export interface DeletionCertificate {
  type: 'gatepost.deletion-certificate';
  version: 1;
  id: string;
  /** null: the whole district. */
  compound: { id: number; name: string } | null;
  /** The epidemic-control period whose personal data was deleted. */
  period: { from: string | null; to: string };
  deleted: Record<string, number>;
  backups: { deleted: string[]; unreachable: string[] };
  issuedAt: string;
  issuedBy: { id: number; name: string };
  keyId: string;
  /** base64url of the raw Ed25519 public key. */
  publicKey: string;
  fingerprint: string;
}

export interface SignedCertificate {
  certificate: DeletionCertificate;
  /** base64url Ed25519 signature of signedBytes(certificate). */
  signature: string;
}

/** The bytes signed: the certificate as compact JSON, in its fields' order. */
export const signedText = (c: DeletionCertificate) => JSON.stringify(c);

/** The one form a certificate file has. Any other byte sequence is not an issued certificate. */
export const certificateText = (s: SignedCertificate) => `${JSON.stringify({ certificate: s.certificate, signature: s.signature }, null, 2)}\n`;

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function b64urlDecode(s: string): Uint8Array {
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The fingerprint of a raw public key: 64 hex digits, shown in groups of four. */
export const fingerprintOf = (rawKey: Uint8Array, sha256: (b: Uint8Array) => Uint8Array) => hex(sha256(rawKey));
export const showFingerprint = (fp: string) => fp.match(/.{1,4}/g)?.join(' ') ?? fp;
/** A fingerprint as typed (spaces, colons, capitals) → its 64 hex digits, or null. */
export function normalizeFingerprint(text: string): string | null {
  const h = text.toLowerCase().replace(/[\s:-]/g, '');
  return /^[0-9a-f]{64}$/.test(h) ? h : null;
}

export type VerifyResult =
  | { ok: true; certificate: DeletionCertificate }
  | { ok: false; why: 'not_json' | 'not_a_certificate' | 'altered_form' | 'bad_fingerprint' | 'other_key' | 'bad_signature' };

/** Check a certificate file's text against a pinned fingerprint. */
export function verifyCertificate(
  text: string,
  pinned: string,
  crypto: { sha256: (b: Uint8Array) => Uint8Array; ed25519Verify: (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) => boolean },
): VerifyResult {
  const fp = normalizeFingerprint(pinned);
  if (!fp) return { ok: false, why: 'bad_fingerprint' };
  let parsed: SignedCertificate;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, why: 'not_json' };
  }
  const c = parsed?.certificate;
  if (c?.type !== 'gatepost.deletion-certificate' || typeof parsed.signature !== 'string' || typeof c.publicKey !== 'string') return { ok: false, why: 'not_a_certificate' };
  let key: Uint8Array;
  let sig: Uint8Array;
  try {
    key = b64urlDecode(c.publicKey);
    sig = b64urlDecode(parsed.signature);
  } catch {
    return { ok: false, why: 'not_a_certificate' };
  }
  // The key it carries counts only if it is the pinned one.
  if (key.length !== 32 || fingerprintOf(key, crypto.sha256) !== fp) return { ok: false, why: 'other_key' };
  let good = false;
  try {
    good = sig.length === 64 && crypto.ed25519Verify(sig, new TextEncoder().encode(signedText(c)), key);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, why: 'bad_signature' };
  // Signed, but the file is not in its issued form (a byte changed outside the signed fields).
  if (certificateText(parsed) !== text) return { ok: false, why: 'altered_form' };
  return { ok: true, certificate: c };
}
