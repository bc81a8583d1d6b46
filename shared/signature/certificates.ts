/**
 * Certificates used for what they are for (docs/verdict-rules.md): the path from the signer to a trust anchor runs
 * through certification authorities (basicConstraints CA, keyCertSign, path length), each valid at the signing time
 * and signed with an accepted algorithm; the signer's own certificate is an end-entity certificate whose key usage
 * and extended key usage allow signing documents.
 */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ACCEPTED_DIGESTS, digestLabel, keyStrength, schemeOf } from './algorithms.js';
import { certificateDer, childrenOf, readTlv } from './cms.js';
import { bi, instant, type Bilingual } from './text.js';

export const MAX_CHAIN = 8;

/** A certificate as both libraries see it: node:crypto verifies, pkijs reads extensions. */
export interface Cert {
  x509: X509Certificate;
  pk: pkijs.Certificate;
}

export function certFromPkijs(cert: pkijs.Certificate): Cert | undefined {
  try {
    return { x509: new X509Certificate(Buffer.from(certificateDer(cert))), pk: cert };
  } catch {
    return undefined;
  }
}

export function certFromDer(der: Uint8Array): Cert | undefined {
  try {
    return { x509: new X509Certificate(Buffer.from(der)), pk: pkijs.Certificate.fromBER(new Uint8Array(der)) };
  } catch {
    return undefined;
  }
}

/** Every certificate in PEM text (several blocks allowed); unreadable blocks are reported through `onBad`. */
export function certsFromPem(pem: string, onBad: () => void = () => undefined): Cert[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certs: Cert[] = [];
  for (const block of blocks) {
    const der = new Uint8Array(Buffer.from(block.replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
    const cert = certFromDer(der);
    if (cert) certs.push(cert);
    else onBad();
  }
  return certs;
}

/** The TBSCertificate fields of a certificate's DER, read without parsing the rest. */
export function tbsFields(der: Uint8Array): { serial: Uint8Array; issuer: Buffer; subject: Buffer } | null {
  const cert = readTlv(der, 0);
  if (!cert) return null;
  const tbs = readTlv(der, cert.valueStart, cert.end);
  if (!tbs) return null;
  const fields = childrenOf(der, tbs);
  if (!fields) return null;
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, , issuer, , subject] = fields.slice(at, at + 5);
  if (!serial || !issuer || !subject) return null;
  return {
    serial: der.subarray(serial.valueStart, serial.end),
    issuer: Buffer.from(der.subarray(issuer.start, issuer.end)),
    subject: Buffer.from(der.subarray(subject.start, subject.end)),
  };
}

/**
 * The certificates a signature carries, read on demand: a long-term signature may carry hundreds, and only the few
 * on the path are ever needed. Issuers are found by the encoded subject name, then checked in full.
 */
export class CertPool {
  private readonly entries: { der: Uint8Array; fields: ReturnType<typeof tbsFields>; cert?: Cert | null }[];

  constructor(ders: Uint8Array[]) {
    this.entries = ders.map((der) => ({ der, fields: tbsFields(der) }));
  }

  get size(): number {
    return this.entries.length;
  }

  private load(entry: CertPool['entries'][number]): Cert | undefined {
    if (entry.cert === undefined) entry.cert = certFromDer(entry.der) ?? null;
    return entry.cert ?? undefined;
  }

  /** Candidates whose subject is the certificate's issuer (by encoding; all of them when none matches so and the pool is small). */
  issuersOf(cert: Cert): Cert[] {
    const issuer = tbsFields(new Uint8Array(cert.x509.raw))?.issuer;
    const byName = issuer ? this.entries.filter((e) => e.fields?.subject.equals(issuer)) : [];
    const candidates = byName.length > 0 || this.entries.length > 500 ? byName : this.entries;
    return candidates.map((e) => this.load(e)).filter((c): c is Cert => c !== undefined);
  }

  /** The certificate of a SignerInfo's sid: issuer and serial number, or subject key identifier. */
  signerOf(sid: unknown): pkijs.Certificate | undefined {
    if (sid instanceof pkijs.IssuerAndSerialNumber) {
      const serial = Buffer.from(sid.serialNumber.valueBlock.valueHexView);
      for (const entry of this.entries) {
        if (!entry.fields || !Buffer.from(entry.fields.serial).equals(serial)) continue;
        const cert = this.load(entry);
        if (cert?.pk.issuer.isEqual(sid.issuer)) return cert.pk;
      }
      return undefined;
    }
    // [0] SubjectKeyIdentifier
    const ski = Buffer.from((sid as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView);
    for (const entry of this.entries) {
      const cert = this.load(entry);
      const ext = cert?.pk.extensions?.find((e) => e.extnID === '2.5.29.14');
      const parsed = ext?.parsedValue as asn1js.OctetString | undefined;
      if (parsed && Buffer.from(parsed.valueBlock.valueHexView).equals(ski)) return cert!.pk;
    }
    return undefined;
  }
}

const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsageBit = (typeof KEY_USAGE_BITS)[number];

function extension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

export function basicConstraints(cert: pkijs.Certificate): { ca: boolean; pathLen?: number } | undefined {
  const ext = extension(cert, '2.5.29.19');
  if (!ext) return undefined;
  const parsed = ext.parsedValue as pkijs.BasicConstraints | undefined;
  if (!parsed) return { ca: false };
  const raw = parsed.pathLenConstraint as unknown;
  const pathLen = typeof raw === 'number' ? raw : raw instanceof asn1js.Integer ? raw.valueBlock.valueDec : undefined;
  return { ca: parsed.cA === true, ...(pathLen !== undefined ? { pathLen } : {}) };
}

export function keyUsage(cert: pkijs.Certificate): Set<KeyUsageBit> | undefined {
  const ext = extension(cert, '2.5.29.15');
  if (!ext) return undefined;
  const bits = ext.parsedValue as asn1js.BitString | undefined;
  const bytes = bits?.valueBlock.valueHexView ?? new Uint8Array(0);
  const set = new Set<KeyUsageBit>();
  KEY_USAGE_BITS.forEach((name, i) => {
    if (((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) set.add(name);
  });
  return set;
}

export function extendedKeyUsage(cert: pkijs.Certificate): string[] | undefined {
  const ext = extension(cert, '2.5.29.37');
  if (!ext) return undefined;
  return (ext.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
}

/** docs/verdict-rules.md: extended key usages compatible with signing documents. */
export const DOCUMENT_SIGNING_EKUS: Record<string, string> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.36': 'documentSigning',
  '1.2.840.113583.1.1.5': 'Adobe Authentic Documents Trust',
  '1.3.6.1.4.1.311.10.3.12': 'Microsoft Document Signing',
};
const EKU_NAMES: Record<string, string> = {
  ...DOCUMENT_SIGNING_EKUS,
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};
export const TIME_STAMPING_EKU = '1.3.6.1.5.5.7.3.8';

export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}

export function cnOf(cert: Cert, which: 'subject' | 'issuer' = 'subject'): string {
  const name = which === 'subject' ? cert.x509.subject : cert.x509.issuer;
  const cn = /(?:^|\n| \+ )CN=([^\n]*?)(?= \+ |\n|$)/.exec(name)?.[1];
  return cn ?? name.replace(/\n/g, ', ');
}

/**
 * The issuer's name and key match the certificate. Not X509Certificate.checkIssued: OpenSSL's check also refuses an
 * issuer without keyCertSign, and this verifier must tell that case apart (docs/verdict-rules.md: say why a path fails).
 */
function issuedBy(cert: Cert, issuer: Cert): boolean {
  try {
    return cert.x509.issuer === issuer.x509.subject && cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

function validAt(cert: Cert, at: Date): boolean {
  return at >= new Date(cert.x509.validFrom) && at <= new Date(cert.x509.validTo);
}

function period(cert: Cert): string {
  return `${instant(new Date(cert.x509.validFrom))} – ${instant(new Date(cert.x509.validTo))}`;
}

export interface CheckResult {
  outcome: 'pass' | 'fail';
  text: Bilingual;
}

export interface PathResult {
  chain: CheckResult;
  /** Signer first, anchor last (when one was reached). */
  path: Cert[];
  anchor?: Cert;
}

/**
 * Builds and checks the path from `signer` to one of `anchors` at the time `at`, through `pool` (the certificates
 * the signature carries). `what` names the certificate in sentences ("signer's", "time-stamping authority's").
 */
export function buildPath(signer: Cert, pool: CertPool, anchors: Cert[], at: Date, anchorsLabel: Bilingual = bi('a configured trust anchor', "un'ancora di fiducia configurata")): PathResult {
  const fail = (en: string, it: string, path: Cert[]): PathResult => ({ chain: { outcome: 'fail', text: bi(en, it) }, path });
  if (anchors.length === 0) {
    return fail('No trust anchor is configured: the certificate cannot be trusted', "Nessuna ancora di fiducia è configurata: il certificato non può essere considerato affidabile", [signer]);
  }
  const path: Cert[] = [signer];
  let current = signer;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const self = anchors.find((a) => a.x509.raw.equals(current.x509.raw));
    if (self) return anchored(path, self, at, true);
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) {
      const algorithm = certificateAlgorithmProblem(current);
      if (algorithm) return fail(algorithm.en, algorithm.it, path);
      return anchored([...path, anchor], anchor, at, false);
    }
    // Among several candidates (a signature may carry many certificates), one that works at `at`.
    const candidates = pool.issuersOf(current).filter((c) => !path.some((p) => p.x509.raw.equals(c.x509.raw)) && issuedBy(current, c));
    const issuer = candidates.find((c) => validAt(c, at)) ?? candidates[0];
    if (!issuer) {
      return fail(
        `The certificate does not chain to ${anchorsLabel.en}: no trusted certificate issued "${cnOf(current, 'issuer')}"`,
        `Il certificato non discende da ${anchorsLabel.it}: nessun certificato fidato ha emesso "${cnOf(current, 'issuer')}"`,
        path,
      );
    }
    const algorithm = certificateAlgorithmProblem(current);
    if (algorithm) return fail(algorithm.en, algorithm.it, path);
    const problem = caProblem(issuer, path.length - 1, at, 'intermediate');
    if (problem) return fail(problem.en, problem.it, [...path, issuer]);
    path.push(issuer);
    current = issuer;
  }
  return fail(
    `The certificate path is longer than ${MAX_CHAIN} certificates without reaching ${anchorsLabel.en}`,
    `Il percorso di certificazione supera ${MAX_CHAIN} certificati senza raggiungere ${anchorsLabel.it}`,
    path,
  );
}

function anchored(path: Cert[], anchor: Cert, at: Date, selfIsAnchor: boolean): PathResult {
  // The anchor's own constraints apply too: its validity (docs/verdict-rules.md) and, when it states them, CA and path length.
  const problem = selfIsAnchor ? anchorValidity(anchor, at) : caProblem(anchor, path.length - 2, at, 'anchor');
  if (problem) return { chain: { outcome: 'fail', text: problem }, path, anchor };
  const names = path.map((c) => cnOf(c)).join(' → ');
  const text = selfIsAnchor
    ? bi(
        `The certificate is itself a configured trust anchor (${cnOf(anchor)})`,
        `Il certificato è esso stesso un'ancora di fiducia configurata (${cnOf(anchor)})`,
      )
    : bi(
        `The certificate chains to the trust anchor "${cnOf(anchor)}" (${names}); each certificate's signature verifies and each CA may issue certificates`,
        `Il certificato discende dall'ancora di fiducia "${cnOf(anchor)}" (${names}); la firma di ogni certificato è valida e ogni CA può emettere certificati`,
      );
  return { chain: { outcome: 'pass', text }, path, anchor };
}

function anchorValidity(anchor: Cert, at: Date): Bilingual | undefined {
  if (validAt(anchor, at)) return undefined;
  return bi(
    `The trust anchor "${cnOf(anchor)}" was not valid at ${instant(at)} (${period(anchor)})`,
    `L'ancora di fiducia "${cnOf(anchor)}" non era valida il ${instant(at)} (${period(anchor)})`,
  );
}

/** A certificate that issued another: a CA by its basic constraints and key usage, valid, within its path length. */
function caProblem(ca: Cert, intermediatesBelow: number, at: Date, role: 'intermediate' | 'anchor'): Bilingual | undefined {
  const name = cnOf(ca);
  const roleEn = role === 'anchor' ? 'The trust anchor' : 'The intermediate CA';
  const roleIt = role === 'anchor' ? "L'ancora di fiducia" : 'La CA intermedia';
  if (role === 'anchor') {
    const validity = anchorValidity(ca, at);
    if (validity) return validity;
  } else if (!validAt(ca, at)) {
    return bi(
      `${roleEn} "${name}" was not valid at ${instant(at)} (${period(ca)})`,
      `${roleIt} "${name}" non era valida il ${instant(at)} (${period(ca)})`,
    );
  }
  const constraints = basicConstraints(ca.pk);
  // A trust anchor configured as a bare certificate without extensions (old roots) is taken as configured.
  if (role === 'intermediate' || constraints) {
    if (!constraints?.ca) {
      return bi(
        `"${name}" signed a certificate in the path but is not a certification authority (no CA basic constraint)`,
        `"${name}" ha firmato un certificato del percorso ma non è un'autorità di certificazione (manca il vincolo di base CA)`,
      );
    }
  }
  const usage = keyUsage(ca.pk);
  if (usage && !usage.has('keyCertSign')) {
    return bi(
      `"${name}" signed a certificate in the path but its key usage does not allow signing certificates (no keyCertSign)`,
      `"${name}" ha firmato un certificato del percorso ma il suo utilizzo della chiave non consente di firmare certificati (manca keyCertSign)`,
    );
  }
  if (constraints?.pathLen !== undefined && intermediatesBelow > constraints.pathLen) {
    return bi(
      `"${name}" allows at most ${constraints.pathLen} intermediate CA certificate(s) below it, the path has ${intermediatesBelow}`,
      `"${name}" consente al massimo ${constraints.pathLen} certificati di CA intermedie sotto di sé, il percorso ne ha ${intermediatesBelow}`,
    );
  }
  if (role === 'intermediate') {
    const strength = keyStrength(ca.x509.publicKey);
    if (!strength.ok) {
      return bi(
        `The key of "${name}" (${strength.label}) is too weak (ETSI TS 119 312: RSA at least 2048 bits, EC at least 256 bits)`,
        `La chiave di "${name}" (${strength.label}) è troppo debole (ETSI TS 119 312: RSA almeno 2048 bit, EC almeno 256 bit)`,
      );
    }
  }
  return undefined;
}

/** The algorithm a CA signed this certificate with: no SHA-1 or MD5 (ETSI TS 119 312). */
function certificateAlgorithmProblem(cert: Cert): Bilingual | undefined {
  let hash: string | undefined;
  try {
    hash = schemeOf(cert.pk.signatureAlgorithm)?.hash;
  } catch {
    hash = undefined;
  }
  if (hash && ACCEPTED_DIGESTS.has(hash as never)) return undefined;
  const label = hash ? digestLabel(hash) : cert.pk.signatureAlgorithm.algorithmId;
  return bi(
    `The certificate "${cnOf(cert)}" is signed with ${label}, which is not accepted (ETSI TS 119 312: SHA-2 or SHA-3)`,
    `Il certificato "${cnOf(cert)}" è firmato con ${label}, che non è ammesso (ETSI TS 119 312: SHA-2 o SHA-3)`,
  );
}

/** docs/verdict-rules.md: an end-entity certificate whose key usage and extended key usage allow signing documents. */
export function signerUsage(cert: Cert): CheckResult {
  const fail = (en: string, it: string): CheckResult => ({ outcome: 'fail', text: bi(en, it) });
  const constraints = basicConstraints(cert.pk);
  if (constraints?.ca) {
    return fail(
      'The signer\'s certificate is a certification authority\'s (CA basic constraint), not an end-entity certificate: a CA certificate signs certificates, not documents',
      "Il certificato del firmatario è di un'autorità di certificazione (vincolo di base CA), non di un utente finale: un certificato di CA firma certificati, non documenti",
    );
  }
  const usage = keyUsage(cert.pk);
  if (usage && !usage.has('digitalSignature') && !usage.has('nonRepudiation')) {
    const bits = [...usage].join(', ') || 'none';
    return fail(
      `The signer's certificate does not allow signing: its key usage (${bits}) has neither digitalSignature nor nonRepudiation`,
      `Il certificato del firmatario non consente di firmare: il suo utilizzo della chiave (${bits}) non comprende né digitalSignature né nonRepudiation`,
    );
  }
  const ekus = extendedKeyUsage(cert.pk);
  if (ekus && !ekus.some((oid) => oid in DOCUMENT_SIGNING_EKUS)) {
    const names = ekus.map(ekuName).join(', ') || 'none';
    return fail(
      `The signer's certificate is not for signing documents: its extended key usage (${names}) allows none of anyExtendedKeyUsage, emailProtection, documentSigning, Adobe or Microsoft document signing`,
      `Il certificato del firmatario non è destinato alla firma di documenti: il suo utilizzo esteso della chiave (${names}) non comprende anyExtendedKeyUsage, emailProtection, documentSigning né la firma di documenti Adobe o Microsoft`,
    );
  }
  const said = [usage ? `keyUsage ${[...usage].join(', ')}` : 'no keyUsage restriction', ekus ? `extendedKeyUsage ${ekus.map(ekuName).join(', ')}` : 'no extendedKeyUsage'];
  const saidIt = [usage ? `keyUsage ${[...usage].join(', ')}` : 'nessuna restrizione keyUsage', ekus ? `extendedKeyUsage ${ekus.map(ekuName).join(', ')}` : 'nessun extendedKeyUsage'];
  return {
    outcome: 'pass',
    text: bi(
      `The signer's certificate is an end-entity certificate allowed to sign documents (${said.join('; ')})`,
      `Il certificato del firmatario è un certificato di utente finale abilitato alla firma di documenti (${saidIt.join('; ')})`,
    ),
  };
}

/** ETSI EN 319 412-5 QC statements of a certificate (statement OIDs), or undefined without the extension. */
export function qcStatements(cert: pkijs.Certificate): string[] | undefined {
  const ext = extension(cert, '1.3.6.1.5.5.7.1.3');
  if (!ext) return undefined;
  try {
    const seq = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.Sequence;
    return (seq.valueBlock.value as asn1js.Sequence[]).map((statement) => (statement.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString());
  } catch {
    return [];
  }
}

export const QC = { compliance: '0.4.0.1862.1.1', sscd: '0.4.0.1862.1.4' } as const;
