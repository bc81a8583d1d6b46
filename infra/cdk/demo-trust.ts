import { X509Certificate } from 'node:crypto';
import { DEMO_CA_ORGANIZATION } from '../local/demo-pki.js';

/**
 * A deployment must never trust the demo PKI (docs/configuration.md): its private keys are, or were, public. Refused:
 *
 * - by SHA-256 fingerprint, the demo CA and signer whose private keys were committed to this repository (they stay
 *   in its history, so anyone with a clone can still sign with them);
 * - any certificate issued by or naming the demo CA organisation, which is what every demo CA made by `npm start`
 *   in a data folder calls itself (infra/local/demo-pki.ts): each machine's has its own fingerprint.
 */
export const PUBLISHED_DEMO_FINGERPRINTS: Record<string, string> = {
  '84:D7:2B:76:51:6E:A7:D5:CE:2B:CC:E8:85:5C:40:E0:EB:1F:F5:D1:75:BB:AF:82:22:85:D4:E6:AE:09:D0:37': 'the demo CA once committed to the repository (config/certs/demo-ca.pem)',
  '28:12:CB:F1:CF:C9:A6:3F:F5:E9:BE:58:07:D6:A7:3E:4B:9C:5C:47:E7:B1:05:29:28:3E:86:BA:7C:07:DE:56': 'the demo signer once committed to the repository (config/certs/demo-signer.pem)',
};

/** Why this trust anchor is a demo one, or null. */
export function demoTrustReason(pem: string): string | null {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return null; // not a certificate: the configuration's own check reports it
  }
  const published = PUBLISHED_DEMO_FINGERPRINTS[certificate.fingerprint256];
  if (published) return `${published}, SHA-256 ${certificate.fingerprint256}`;
  const organization = `O=${DEMO_CA_ORGANIZATION}`;
  if (certificate.subject.split('\n').includes(organization) || certificate.issuer.split('\n').includes(organization)) {
    return `a demo CA made by npm start (${DEMO_CA_ORGANIZATION}), SHA-256 ${certificate.fingerprint256}`;
  }
  return null;
}

/** Throws, naming the file and the anchor, when a configuration trusts the demo PKI. */
export function refuseDemoTrust(trustAnchorPems: string[], anchorNames: string[], source: string): void {
  trustAnchorPems.forEach((pem, i) => {
    const reason = demoTrustReason(pem);
    if (reason) {
      throw new Error(
        `${source}: trust anchor "${anchorNames[i] ?? i}" is ${reason}, whose private key is not secret: anyone could sign an ` +
          'approved attestation. A deployment trusts only real CAs (the AgID trusted list or your own).',
      );
    }
  });
}
