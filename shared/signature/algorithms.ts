/**
 * Algorithms a signature may use (docs/verdict-rules.md; ETSI TS 119 312): SHA-2 and SHA-3 digests, RSA of at least
 * 2048 bits (PKCS#1 v1.5 or PSS), ECDSA (DER or plain) on the NIST and Brainpool curves of 256 bits or more. SHA-1 is
 * recognised only to be refused with a sentence that names it.
 */
import type { KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';

export type DigestName = 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512' | 'sha1' | 'md5';

export const DIGESTS: Record<string, DigestName> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
  '1.3.14.3.2.26': 'sha1',
  '1.2.840.113549.2.5': 'md5',
};

/** ETSI TS 119 312: SHA-1 and MD5 are not acceptable for new signatures. */
export const ACCEPTED_DIGESTS = new Set<DigestName>(['sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-384', 'sha3-512']);

export function digestLabel(name: string): string {
  return name.toUpperCase();
}

export type SignatureScheme =
  /** `plain`: the ECDSA value is r and s side by side (BSI TR-03111), not a DER SEQUENCE. */
  | { kind: 'rsa' | 'ecdsa'; hash?: DigestName; plain?: true }
  | { kind: 'rsa-pss'; hash: DigestName; saltLength: number };

export const SIGNATURE_ALGORITHMS: Record<string, SignatureScheme> = {
  '1.2.840.113549.1.1.1': { kind: 'rsa' },
  '1.2.840.113549.1.1.4': { kind: 'rsa', hash: 'md5' },
  '1.2.840.113549.1.1.5': { kind: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  '2.16.840.1.101.3.4.3.14': { kind: 'rsa', hash: 'sha3-256' },
  '2.16.840.1.101.3.4.3.15': { kind: 'rsa', hash: 'sha3-384' },
  '2.16.840.1.101.3.4.3.16': { kind: 'rsa', hash: 'sha3-512' },
  '1.2.840.10045.2.1': { kind: 'ecdsa' },
  '1.2.840.10045.4.1': { kind: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
  '2.16.840.1.101.3.4.3.10': { kind: 'ecdsa', hash: 'sha3-256' },
  '2.16.840.1.101.3.4.3.11': { kind: 'ecdsa', hash: 'sha3-384' },
  '2.16.840.1.101.3.4.3.12': { kind: 'ecdsa', hash: 'sha3-512' },
  // Plain ECDSA (BSI TR-03111 ecdsa-plain-signatures), as German qualified signature cards sign.
  '0.4.0.127.0.7.1.1.4.1.1': { kind: 'ecdsa', hash: 'sha1', plain: true },
  '0.4.0.127.0.7.1.1.4.1.3': { kind: 'ecdsa', hash: 'sha256', plain: true },
  '0.4.0.127.0.7.1.1.4.1.4': { kind: 'ecdsa', hash: 'sha384', plain: true },
  '0.4.0.127.0.7.1.1.4.1.5': { kind: 'ecdsa', hash: 'sha512', plain: true },
  '0.4.0.127.0.7.1.1.4.1.8': { kind: 'ecdsa', hash: 'sha3-256', plain: true },
  '0.4.0.127.0.7.1.1.4.1.9': { kind: 'ecdsa', hash: 'sha3-384', plain: true },
  '0.4.0.127.0.7.1.1.4.1.10': { kind: 'ecdsa', hash: 'sha3-512', plain: true },
};
export const RSASSA_PSS = '1.2.840.113549.1.1.10';

/** The scheme of an AlgorithmIdentifier (RSASSA-PSS parameters read), or undefined when unknown. */
export function schemeOf(algorithm: pkijs.AlgorithmIdentifier): SignatureScheme | undefined {
  if (algorithm.algorithmId === RSASSA_PSS) {
    const params = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams });
    const hash = DIGESTS[params.hashAlgorithm.algorithmId] ?? 'sha1';
    return { kind: 'rsa-pss', hash, saltLength: params.saltLength };
  }
  return SIGNATURE_ALGORITHMS[algorithm.algorithmId];
}

/** ETSI TS 119 312 key sizes: RSA at least 2048 bits; EC on a curve of at least 256 bits. */
const CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
};
export const MIN_RSA_BITS = 2048;

export interface KeyStrength {
  ok: boolean;
  /** e.g. "RSA 2048 bits", "EC P-256" */
  label: string;
}

export function keyStrength(key: KeyObject): KeyStrength {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      return { ok: bits >= MIN_RSA_BITS, label: `RSA ${bits} bits` };
    }
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      return { ok: curve in CURVES, label: `EC ${CURVES[curve] ?? curve}` };
    }
    default:
      return { ok: false, label: key.asymmetricKeyType ?? 'unknown' };
  }
}
