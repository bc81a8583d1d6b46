/**
 * Digital-signature verification for attestations (PRODUCT.md section 5, issue 3 part 2): CAdES (attached) and PAdES
 * (detached CMS over the PDF byte ranges). pkijs/asn1js read the structures; node:crypto checks signatures.
 * Every check ends in the report with a sentence; bad input is a failed check, never an exception.
 */
import { X509Certificate, constants, createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmsError, OID, attributeValues, certificateDer, nameAttribute, parseSignedData, renderName, type ParsedCms } from './cms.js';
import type {
  PadesEvidence,
  SignatureCheck,
  SignatureExpectations,
  SignatureReport,
  SignedEvidence,
  SignerIdentity,
} from './model.js';

const DIGESTS: Record<string, 'sha256' | 'sha384' | 'sha512' | 'sha1'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.3.14.3.2.26': 'sha1',
};
/** Accepted for the signature itself: SHA-1 is broken for signatures (and never in a qualified one today). */
const ACCEPTED_DIGESTS = new Set(['sha256', 'sha384', 'sha512']);

type SignatureScheme = { kind: 'rsa' | 'ecdsa'; hash?: string } | { kind: 'rsa-pss'; hash: string; saltLength: number };

const SIGNATURE_ALGORITHMS: Record<string, SignatureScheme> = {
  '1.2.840.113549.1.1.1': { kind: 'rsa' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  '1.2.840.10045.2.1': { kind: 'ecdsa' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';

const SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);
const MAX_CHAIN = 8;

export async function verifySignature(
  evidence: SignedEvidence,
  expectations: SignatureExpectations,
): Promise<SignatureReport> {
  const report = new ReportBuilder(evidence.type);
  try {
    verifyInto(report, evidence, expectations);
  } catch (error) {
    // A fault in this code, not in the file: still a report, never a crash of the verdict.
    report.check('integrity', 'fail', `The signature could not be verified (${(error as Error).message}).`);
  }
  return report.build();
}

class ReportBuilder {
  readonly checks: SignatureCheck[] = [];
  readonly notes: string[] = [];
  signer?: SignerIdentity;
  signingTime?: string;

  constructor(readonly type: 'CAdES' | 'PAdES') {}

  check(name: SignatureCheck['name'], outcome: SignatureCheck['outcome'], detail: string): void {
    const existing = this.checks.find((c) => c.name === name);
    if (existing) {
      // A later, more specific failure replaces an earlier one only when it is a failure.
      if (existing.outcome !== 'fail') Object.assign(existing, { outcome, detail });
      return;
    }
    this.checks.push({ name, outcome, detail });
  }

  build(): SignatureReport {
    const order: SignatureCheck['name'][] = ['integrity', 'coverage', 'chain', 'validity', 'signing_certificate', 'identity'];
    for (const name of order) {
      if (!this.checks.some((c) => c.name === name)) {
        this.check(name, 'not_applicable', 'Not evaluated: the signature could not be read far enough.');
      }
    }
    this.checks.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    return {
      present: true,
      type: this.type,
      valid: this.checks.every((c) => c.outcome !== 'fail') && this.checks.some((c) => c.name === 'integrity' && c.outcome === 'pass'),
      checks: this.checks,
      ...(this.signer ? { signer: this.signer } : {}),
      ...(this.signingTime ? { signingTime: this.signingTime } : {}),
      signingTimeSource: this.signingTime ? 'signed-attribute' : 'none',
      notes: this.notes,
    };
  }
}

function verifyInto(report: ReportBuilder, evidence: SignedEvidence, expectations: SignatureExpectations): void {
  // 1. What was signed: the envelope's content (CAdES) or the byte ranges of the file (PAdES).
  let signedContent: Uint8Array | null = null;
  if (evidence.type === 'PAdES') {
    checkCoverage(report, evidence);
    if (evidence.problem) {
      report.check('integrity', 'fail', evidence.problem);
      return;
    }
    if (evidence.subFilter && !SUBFILTERS.has(evidence.subFilter)) {
      report.check('integrity', 'fail', `The signature's SubFilter /${evidence.subFilter} is not supported (adbe.pkcs7.detached or ETSI.CAdES.detached expected).`);
      return;
    }
    if (evidence.signatureCount > 1) {
      report.notes.push(`The PDF holds ${evidence.signatureCount} signatures; the last one, which should cover the whole file, is the one checked.`);
    }
    signedContent = rangesContent(evidence);
    if (!signedContent) {
      report.check('integrity', 'fail', 'The /ByteRange of the signature points outside the file: the signed bytes cannot be located.');
      return;
    }
  } else {
    report.check('coverage', 'not_applicable', 'A CAdES envelope signs the enclosed document as a whole: nothing outside it is part of the attestation.');
  }

  // 2. The CMS structure.
  let cms: ParsedCms;
  try {
    cms = parseSignedData(evidence.cms);
  } catch (error) {
    const reason = error instanceof CmsError ? error.message : (error as Error).message;
    report.check('integrity', 'fail', `The signature is malformed: ${reason}.`);
    return;
  }
  if (evidence.type === 'CAdES') {
    signedContent = cms.content;
    if (!signedContent) {
      report.check('integrity', 'fail', 'The CAdES envelope carries no content (a detached signature without the signed document).');
      return;
    }
  } else if (cms.content) {
    report.notes.push('The PAdES CMS also encapsulates content; only the PDF byte ranges are treated as signed.');
  }
  if (!signedContent) return;
  const signerInfos = cms.signedData.signerInfos;
  const signerInfo = signerInfos[0];
  if (!signerInfo) {
    report.check('integrity', 'fail', 'The signature has no signer.');
    return;
  }
  if (signerInfos.length > 1) report.notes.push(`The envelope holds ${signerInfos.length} signers; the first is the one checked.`);

  // 3. The signer's certificate.
  const signerCert = findSignerCertificate(signerInfo, cms.certificates);
  if (!signerCert) {
    report.check('integrity', 'fail', "The signer's certificate is not included in the signature, so it cannot be checked.");
    return;
  }
  const signerDer = certificateDer(signerCert);
  report.signer = identityOf(signerCert);

  // 4. Integrity: messageDigest over the content, then the signature value over the signed attributes.
  checkIntegrity(report, signerInfo, signedContent, cms.eContentType, signerDer, evidence.type);

  // 5. Signing time, then certificate validity at that time.
  const signingTime = signingTimeOf(signerInfo);
  const timeStamped = signerInfo.unsignedAttrs?.attributes.some((a) => a.type === OID.signatureTimeStampToken) ?? false;
  let at: Date;
  if (signingTime) {
    at = signingTime;
    report.signingTime = signingTime.toISOString();
    report.notes.push(
      timeStamped
        ? 'The signature carries an RFC 3161 timestamp, which is not verified here: the signing time used is the signer’s own claim (signingTime attribute).'
        : 'No RFC 3161 timestamp: the signing time is the signer’s own claim (signingTime attribute), not certified by a third party.',
    );
    if (signingTime.getTime() > expectations.now.getTime() + 5 * 60_000) {
      report.notes.push(`The claimed signing time ${signingTime.toISOString()} is in the future.`);
    }
  } else {
    at = expectations.now;
    report.notes.push(`The signature carries no signing time: certificate validity is checked at the time of processing (${at.toISOString()}).`);
  }
  const notBefore = signerCert.notBefore.value;
  const notAfter = signerCert.notAfter.value;
  const when = signingTime ? `at the signing time ${at.toISOString()}` : `at the time of processing ${at.toISOString()}`;
  if (at < notBefore) {
    report.check('validity', 'fail', `The signer's certificate was not yet valid ${when}: it is valid from ${notBefore.toISOString()}.`);
  } else if (at > notAfter) {
    report.check('validity', 'fail', `The signer's certificate had expired ${when}: it was valid until ${notAfter.toISOString()}.`);
  } else {
    report.check('validity', 'pass', `The signer's certificate was valid ${when} (${notBefore.toISOString()} to ${notAfter.toISOString()}).`);
  }

  // 6. Chain to a configured trust anchor.
  checkChain(report, signerDer, cms.certificates, expectations.trustAnchors, at);

  // 7. ESS signing-certificate(-v2): binds the signature to this very certificate.
  checkSigningCertificate(report, signerInfo, signerCert, signerDer);

  // 8. Identity: the certificate names the tenant or one of its registered signatories.
  checkIdentity(report, report.signer, expectations);
  report.notes.push('Revocation (CRL/OCSP) of the certificates was not checked.');
}

function checkCoverage(report: ReportBuilder, evidence: PadesEvidence): void {
  const range = evidence.byteRange;
  if (!range || range.length !== 4 || range.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    report.check('coverage', 'fail', 'The signature dictionary has no readable /ByteRange: what it signs is unknown.');
    return;
  }
  const [o1, l1, o2, l2] = range as [number, number, number, number];
  const end = o2 + l2;
  const problems: string[] = [];
  if (o1 !== 0) problems.push(`the signed bytes start at offset ${o1}, not at the beginning of the file`);
  if (o2 < o1 + l1) problems.push('the two signed ranges overlap');
  if (end < evidence.fileLength) {
    problems.push(`${evidence.fileLength - end} bytes after offset ${end} were added after signing and are not signed`);
  }
  if (end > evidence.fileLength) problems.push(`the signed ranges end at offset ${end}, beyond the end of the file (${evidence.fileLength} bytes)`);
  if (!evidence.contents) problems.push('the signature dictionary has no /Contents hex string');
  else if (evidence.contents.start !== o1 + l1 || evidence.contents.end !== o2) {
    problems.push(`the unsigned gap (${o1 + l1}–${o2}) is not exactly the signature's /Contents (${evidence.contents.start}–${evidence.contents.end})`);
  }
  if (problems.length > 0) {
    report.check('coverage', 'fail', `The signature does not cover the whole file: ${problems.join('; ')}.`);
  } else {
    report.check('coverage', 'pass', `The signature covers every byte of the file (${evidence.fileLength} bytes) except its own /Contents.`);
  }
}

function rangesContent(evidence: PadesEvidence): Uint8Array | null {
  const range = evidence.byteRange;
  if (!range || range.length !== 4) return null;
  const [o1, l1, o2, l2] = range as [number, number, number, number];
  if (o1 + l1 > evidence.file.length || o2 + l2 > evidence.file.length || o2 < o1 + l1) return null;
  return Buffer.concat([evidence.file.subarray(o1, o1 + l1), evidence.file.subarray(o2, o2 + l2)]);
}

function findSignerCertificate(signerInfo: pkijs.SignerInfo, certificates: pkijs.Certificate[]): pkijs.Certificate | undefined {
  const sid = signerInfo.sid as unknown;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return certificates.find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber));
  }
  // [0] SubjectKeyIdentifier
  const ski = Buffer.from((sid as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView);
  return certificates.find((c) => {
    const ext = c.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
    const parsed = ext?.parsedValue as asn1js.OctetString | undefined;
    return parsed ? Buffer.from(parsed.valueBlock.valueHexView).equals(ski) : false;
  });
}

function checkIntegrity(
  report: ReportBuilder,
  signerInfo: pkijs.SignerInfo,
  content: Uint8Array,
  eContentType: string,
  signerDer: Uint8Array,
  type: 'CAdES' | 'PAdES',
): void {
  const digestName = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
  if (!digestName || !ACCEPTED_DIGESTS.has(digestName)) {
    report.check('integrity', 'fail', `The signature uses the digest algorithm ${digestName ?? signerInfo.digestAlgorithm.algorithmId}, which is not accepted (SHA-256, SHA-384 or SHA-512).`);
    return;
  }
  const contentDigest = createHash(digestName).update(content).digest();
  let signedBytes: Uint8Array;
  if (signerInfo.signedAttrs) {
    const digestAttr = attributeValues(signerInfo, OID.messageDigest)?.[0];
    if (!(digestAttr instanceof asn1js.OctetString)) {
      report.check('integrity', 'fail', 'The signed attributes carry no messageDigest: the signature is not bound to the content.');
      return;
    }
    if (!Buffer.from(digestAttr.valueBlock.valueHexView).equals(contentDigest)) {
      const what = type === 'PAdES' ? 'the signed byte ranges of the PDF' : 'the enclosed document';
      report.check('integrity', 'fail', `The document was altered after signing: the ${digestName.toUpperCase()} digest of ${what} differs from the messageDigest the signer signed.`);
      return;
    }
    const ctAttr = attributeValues(signerInfo, OID.contentType)?.[0];
    if (ctAttr instanceof asn1js.ObjectIdentifier && ctAttr.valueBlock.toString() !== eContentType) {
      report.check('integrity', 'fail', `The signed contentType attribute (${ctAttr.valueBlock.toString()}) does not match the content type (${eContentType}).`);
      return;
    }
    signedBytes = new Uint8Array(signerInfo.signedAttrs.encodedValue);
  } else {
    report.notes.push('The signature has no signed attributes (plain PKCS#7): it signs the content directly, without signing time or certificate binding.');
    signedBytes = content;
  }

  let outcome: boolean;
  let schemeName: string;
  try {
    const key = new X509Certificate(Buffer.from(signerDer)).publicKey;
    ({ outcome, schemeName } = verifyValue(signerInfo, signedBytes, digestName, key));
  } catch (error) {
    report.check('integrity', 'fail', `The signature value could not be checked: ${(error as Error).message}.`);
    return;
  }
  if (outcome) {
    report.check('integrity', 'pass', `The ${schemeName} signature verifies with the signer's public key and the ${digestName.toUpperCase()} digest matches the ${type === 'PAdES' ? 'signed byte ranges' : 'enclosed document'}.`);
  } else {
    report.check('integrity', 'fail', `The signature value does not verify with the signer's public key (${schemeName}): the signature or its signed attributes were altered, or it was made with another key.`);
  }
}

function verifyValue(
  signerInfo: pkijs.SignerInfo,
  data: Uint8Array,
  digestName: string,
  key: KeyObject,
): { outcome: boolean; schemeName: string } {
  const algId = signerInfo.signatureAlgorithm.algorithmId;
  const signature = Buffer.from(signerInfo.signature.valueBlock.valueHexView);
  let scheme: SignatureScheme | undefined = SIGNATURE_ALGORITHMS[algId];
  if (algId === RSASSA_PSS) {
    const params = new pkijs.RSASSAPSSParams({ schema: signerInfo.signatureAlgorithm.algorithmParams });
    const hash = DIGESTS[params.hashAlgorithm.algorithmId] ?? 'sha1';
    scheme = { kind: 'rsa-pss', hash, saltLength: params.saltLength };
  }
  if (!scheme) throw new Error(`the signature algorithm ${algId} is not supported`);
  const hash = scheme.hash ?? digestName;
  if (!ACCEPTED_DIGESTS.has(hash)) throw new Error(`the signature algorithm hashes with ${hash}, which is not accepted`);
  switch (scheme.kind) {
    case 'rsa':
      return {
        outcome: cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature),
        schemeName: `RSA PKCS#1 v1.5 with ${hash.toUpperCase()}`,
      };
    case 'rsa-pss':
      return {
        outcome: cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature),
        schemeName: `RSA-PSS with ${hash.toUpperCase()}`,
      };
    case 'ecdsa':
      return {
        outcome: cryptoVerify(hash, data, { key, dsaEncoding: 'der' }, signature),
        schemeName: `ECDSA with ${hash.toUpperCase()}`,
      };
  }
}

function signingTimeOf(signerInfo: pkijs.SignerInfo): Date | undefined {
  const value = attributeValues(signerInfo, OID.signingTime)?.[0];
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) return value.toDate();
  return undefined;
}

function identityOf(cert: pkijs.Certificate): SignerIdentity {
  const commonName = nameAttribute(cert.subject, OID.commonName);
  const organizationIdentifier = nameAttribute(cert.subject, OID.organizationIdentifier);
  const serialNumber = nameAttribute(cert.subject, OID.serialNumber);
  const organizationName = nameAttribute(cert.subject, OID.organizationName);
  return {
    subject: renderName(cert.subject),
    issuer: renderName(cert.issuer),
    ...(commonName !== undefined ? { commonName } : {}),
    ...(organizationIdentifier !== undefined ? { organizationIdentifier } : {}),
    ...(serialNumber !== undefined ? { serialNumber } : {}),
    ...(organizationName !== undefined ? { organizationName } : {}),
    certificateSerial: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase(),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
  };
}

/** PEM text (one or more certificates) to X509Certificate objects; unreadable PEM yields none. */
function anchorsFrom(pems: string[], report: ReportBuilder): X509Certificate[] {
  const anchors: X509Certificate[] = [];
  for (const pem of pems) {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) report.notes.push('A configured trust anchor is not a PEM certificate and was ignored.');
    for (const block of blocks) {
      try {
        anchors.push(new X509Certificate(block));
      } catch {
        report.notes.push('A configured trust anchor could not be parsed and was ignored.');
      }
    }
  }
  return anchors;
}

function checkChain(report: ReportBuilder, signerDer: Uint8Array, certificates: pkijs.Certificate[], trustAnchorPems: string[], at: Date): void {
  const anchors = anchorsFrom(trustAnchorPems, report);
  if (anchors.length === 0) {
    report.check('chain', 'fail', 'No trust anchor is configured: the certificate cannot be trusted.');
    return;
  }
  const pool: X509Certificate[] = [];
  for (const cert of certificates) {
    try {
      pool.push(new X509Certificate(Buffer.from(certificateDer(cert))));
    } catch {
      // An unreadable extra certificate cannot be part of the path.
    }
  }
  let current = new X509Certificate(Buffer.from(signerDer));
  const path: X509Certificate[] = [current];
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (anchors.some((a) => a.raw.equals(current.raw))) {
      report.check('chain', 'pass', `The certificate is itself a configured trust anchor (${current.subject.replace(/\n/g, ', ')}).`);
      return;
    }
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) {
      const names = [...path.map((c) => cnOf(c)), cnOf(anchor)].join(' → ');
      report.check('chain', 'pass', `The certificate chains to the configured trust anchor "${cnOf(anchor)}" (${names}); each certificate's signature verifies.`);
      return;
    }
    const issuer = pool.find((c) => !path.some((p) => p.raw.equals(c.raw)) && issuedBy(current, c));
    if (!issuer) {
      report.check('chain', 'fail', `The certificate does not chain to a configured trust anchor: no trusted certificate issued "${cnOf(current, 'issuer')}".`);
      return;
    }
    if (!issuer.ca) {
      report.check('chain', 'fail', `"${cnOf(issuer)}" signed a certificate in the path but is not a certification authority (no CA basic constraint).`);
      return;
    }
    if (at < new Date(issuer.validFrom) || at > new Date(issuer.validTo)) {
      report.check('chain', 'fail', `The intermediate CA "${cnOf(issuer)}" was not valid at ${at.toISOString()} (${new Date(issuer.validFrom).toISOString()} to ${new Date(issuer.validTo).toISOString()}).`);
      return;
    }
    path.push(issuer);
    current = issuer;
  }
  report.check('chain', 'fail', `The certificate path is longer than ${MAX_CHAIN} certificates without reaching a trust anchor.`);
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function cnOf(cert: X509Certificate, which: 'subject' | 'issuer' = 'subject'): string {
  const name = which === 'subject' ? cert.subject : cert.issuer;
  const cn = /^CN=(.*)$/m.exec(name)?.[1];
  return cn ?? name.replace(/\n/g, ', ');
}

function checkSigningCertificate(report: ReportBuilder, signerInfo: pkijs.SignerInfo, signerCert: pkijs.Certificate, signerDer: Uint8Array): void {
  const v2 = attributeValues(signerInfo, OID.signingCertificateV2)?.[0];
  const v1 = v2 ? undefined : attributeValues(signerInfo, OID.signingCertificate)?.[0];
  const attr = v2 ?? v1;
  const label = v2 ? 'ESS signing-certificate-v2' : 'ESS signing-certificate';
  if (!attr) {
    report.check('signing_certificate', 'absent', 'The signature carries no ESS signing-certificate attribute (optional for plain CMS, required by CAdES/PAdES baseline profiles).');
    return;
  }
  try {
    const certs = (attr as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence | undefined;
    if (!first) throw new Error('it lists no certificate');
    const parts = first.valueBlock.value;
    let index = 0;
    let hashName: string = v2 ? 'sha256' : 'sha1';
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      const alg = new pkijs.AlgorithmIdentifier({ schema: parts[0] });
      const name = DIGESTS[alg.algorithmId];
      if (!name) throw new Error(`its hash algorithm ${alg.algorithmId} is not supported`);
      hashName = name;
      index = 1;
    }
    const certHash = parts[index];
    if (!(certHash instanceof asn1js.OctetString)) throw new Error('its certificate hash is missing');
    const expected = createHash(hashName).update(signerDer).digest();
    if (!Buffer.from(certHash.valueBlock.valueHexView).equals(expected)) {
      report.check('signing_certificate', 'fail', `The ${label} attribute names a different certificate than the one that signed: the ${hashName.toUpperCase()} hash does not match.`);
      return;
    }
    const issuerSerial = parts[index + 1];
    if (issuerSerial instanceof asn1js.Sequence) {
      const serial = issuerSerial.valueBlock.value[1];
      if (serial instanceof asn1js.Integer && !serial.isEqual(signerCert.serialNumber)) {
        report.check('signing_certificate', 'fail', `The ${label} attribute names a certificate with another serial number than the signer's.`);
        return;
      }
    }
    report.check('signing_certificate', 'pass', `The ${label} attribute matches the signer's certificate (${hashName.toUpperCase()} hash).`);
  } catch (error) {
    report.check('signing_certificate', 'fail', `The ${label} attribute is malformed: ${(error as Error).message}.`);
  }
}

function checkIdentity(report: ReportBuilder, signer: SignerIdentity | undefined, expectations: SignatureExpectations): void {
  if (!signer) return;
  const tenantVat = expectations.tenantVat.replace(/\s+/g, '').toUpperCase().replace(/^IT/, '');
  const orgId = signer.organizationIdentifier?.trim().toUpperCase();
  const serial = signer.serialNumber?.trim().toUpperCase();
  if (orgId && orgId === `VATIT-${tenantVat}`) {
    report.check('identity', 'pass', `The certificate names the tenant: organizationIdentifier ${signer.organizationIdentifier} is the tenant's Partita IVA.`);
    return;
  }
  const signatory = expectations.signatories.find((cf) => serial === `TINIT-${cf.trim().toUpperCase()}`);
  if (signatory) {
    report.check('identity', 'pass', `The certificate names a registered signatory of the tenant: serialNumber ${signer.serialNumber}.`);
    return;
  }
  const seen = [
    orgId ? `organizationIdentifier ${signer.organizationIdentifier}` : 'no organizationIdentifier',
    serial ? `serialNumber ${signer.serialNumber}` : 'no serialNumber',
  ].join(' and ');
  report.check('identity', 'fail', `The signer does not identify the tenant: the certificate carries ${seen}, expected organizationIdentifier VATIT-${tenantVat} or serialNumber TINIT- followed by a registered signatory's codice fiscale.`);
}
