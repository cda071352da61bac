import { createHash, createPublicKey, verify } from 'node:crypto';
import { toBase64Url } from '../core/code.js';
import { type DeletionCertificate, fingerprintOf, type SignedCertificate, signedText, type VerifyResult, verifyCertificate } from '../core/certificate.js';
import type { SigningKeys } from '../codes/keys.js';

/** SHA-256 and Ed25519 as node:crypto has them, for core/certificate.ts. */
export const nodeCrypto = {
  sha256: (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest()),
  ed25519Verify: (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) =>
    verify(null, msg, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(key) }, format: 'jwk' }), sig),
};

/** The installation's fingerprint: of the key that signs now (and signs certificates). */
export async function installationFingerprint(keys: SigningKeys): Promise<{ kid: string; fingerprint: string }> {
  const { kid, publicKey } = await keys.signDetached(new Uint8Array());
  return { kid, fingerprint: fingerprintOf(publicKey, nodeCrypto.sha256) };
}

/** Sign a certificate with the installation's current key. */
export async function signCertificate(keys: SigningKeys, draft: Omit<DeletionCertificate, 'keyId' | 'publicKey' | 'fingerprint'>): Promise<SignedCertificate> {
  const { kid, publicKey } = await keys.signDetached(new Uint8Array());
  const certificate: DeletionCertificate = { ...draft, keyId: kid, publicKey: toBase64Url(publicKey), fingerprint: fingerprintOf(publicKey, nodeCrypto.sha256) };
  const { signature } = await keys.signDetached(new TextEncoder().encode(signedText(certificate)));
  return { certificate, signature: toBase64Url(signature) };
}

export const verifyWithNode = (text: string, fingerprint: string): VerifyResult => verifyCertificate(text, fingerprint, nodeCrypto);
