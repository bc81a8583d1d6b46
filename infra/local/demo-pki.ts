import { webcrypto, X509Certificate } from 'node:crypto';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SignedXml } from 'xml-crypto';
import { QC, qcStatements } from '../../shared/signature/certificates.js';
import { SERVICE_TYPE, grantedCertificates, readTrustedList } from '../../shared/signature/trusted-list.js';
import { ensurePrivateDir, writePrivateFile } from './private-files.js';

/**
 * The demo PKI: a root CA and one signer under it, made on this machine at the first start of the local stack and
 * kept in its data folder, so that no private key ships with the project (docs/configuration.md: a key in the
 * repository lets anyone mint an approved signature). Built in-process with pkijs and WebCrypto, no openssl.
 *
 * The demo trusts its CA the way a deployment trusts a qualified provider: through an ETSI TS 119 612 trusted list
 * (docs/configuration.md, trustedLists) that names the CA as a CA/QC service granted, signed with xml-crypto by a
 * demo trusted-list signer, whose certificate the configuration names. The signer's certificate carries the QC
 * statements of a qualified certificate (QcCompliance, QcSSCD), so the demo's signatures are qualified electronic
 * signatures under that list, as a firma digitale is under AgID's.
 *
 * Every demo CA names itself "Filiera Demo CA (not for production)" in its organisation: the CDK app refuses any
 * configuration that trusts one (infra/cdk/demo-trust.ts), whichever machine made it.
 */

export const DEMO_CA_ORGANIZATION = 'Filiera Demo CA (not for production)';

/** Who the demo signer is: the demo tenant's legal representative (docs/verdict-rules.md, identifying the tenant). */
export interface DemoSignerSubject {
  /** The company, as registered. */
  organization: string;
  /** Partita IVA, with or without IT. */
  vat: string;
  /** The signatory's codice fiscale. */
  taxCode: string;
  givenName: string;
  surname: string;
}

export interface DemoPkiMaterial {
  caPem: string;
  signerPem: string;
  signerKeyPem: string;
  /** The demo trusted list's signer (self-signed; its key is not kept). */
  tslSignerPem: string;
  /** The demo trusted list, signed: the CA as a CA/QC service granted since the CA's notBefore. */
  trustedListXml: string;
}

export interface DemoPki extends DemoPkiMaterial {
  dir: string;
  caPath: string;
  signerPath: string;
  signerKeyPath: string;
  tslSignerPath: string;
  trustedListPath: string;
}

const OID = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationIdentifier: '2.5.4.97',
  serialNumber: '2.5.4.5',
  givenName: '2.5.4.42',
  surname: '2.5.4.4',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  /** RFC 3739 / ETSI EN 319 412-5 qcStatements. */
  qcStatements: '1.3.6.1.5.5.7.1.3',
  /** ETSI TS 119 612 id-tsl-kp-tslSigning: a trusted list's signing certificate. */
  tslSigning: '0.4.0.2231.3.0',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

const DAY_MS = 86_400_000;
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/**
 * Files of the demo PKI in `{dataDir}/demo-pki` (the CA's and the list signer's keys are not kept: nothing issues
 * further certificates, and the list is made again with the whole PKI).
 */
export function demoPkiPaths(dataDir: string): Omit<DemoPki, keyof DemoPkiMaterial> {
  const dir = path.join(path.resolve(dataDir), 'demo-pki');
  return {
    dir,
    caPath: path.join(dir, 'ca.pem'),
    signerPath: path.join(dir, 'signer.pem'),
    signerKeyPath: path.join(dir, 'signer.key.pem'),
    tslSignerPath: path.join(dir, 'tsl-signer.pem'),
    trustedListPath: path.join(dir, 'trusted-list.xml'),
  };
}

/** The demo PKI of this data folder: read if made before (and still valid for a day), made and saved otherwise. */
export async function ensureDemoPki(dataDir: string, subject: DemoSignerSubject, now = new Date()): Promise<DemoPki> {
  const paths = demoPkiPaths(dataDir);
  // Whether a folder was there before this run decided to make one: only such a folder is ever moved aside.
  const present = await stat(paths.dir).then(
    () => true,
    () => false,
  );
  const existing = await readDemoPki(paths);
  if (existing && stillValid(existing, subject, now)) return { ...paths, ...existing };
  const made = await buildDemoPki(subject, now);
  // Made whole in a folder of its own, then renamed into place: `npm start` and `filiera token` run at the same
  // first start agree on one PKI (the loser of the rename reads the winner's), and a run stopped half-way leaves
  // no certificate without its key.
  const staging = `${paths.dir}.new-${process.pid}-${Date.now()}`;
  await ensurePrivateDir(staging);
  await writePrivateFile(path.join(staging, path.basename(paths.signerKeyPath)), made.signerKeyPem);
  await writePrivateFile(path.join(staging, path.basename(paths.caPath)), made.caPem);
  await writePrivateFile(path.join(staging, path.basename(paths.signerPath)), made.signerPem);
  await writePrivateFile(path.join(staging, path.basename(paths.tslSignerPath)), made.tslSignerPem);
  await writePrivateFile(path.join(staging, path.basename(paths.trustedListPath)), made.trustedListXml);
  const retired = `${paths.dir}.retired-${process.pid}-${Date.now()}`;
  if (present) await rename(paths.dir, retired).catch(() => undefined);
  try {
    await rename(staging, paths.dir);
    if (present) await rm(retired, { recursive: true, force: true });
  } catch {
    await rm(staging, { recursive: true, force: true });
    const winner = await readDemoPki(paths);
    if (winner && stillValid(winner, subject, now)) return { ...paths, ...winner };
    throw new Error(`the demo PKI in ${paths.dir} is unusable: remove that folder and start again`);
  }
  return { ...paths, ...made };
}

async function readDemoPki(paths: ReturnType<typeof demoPkiPaths>): Promise<DemoPkiMaterial | null> {
  try {
    const [caPem, signerPem, signerKeyPem, tslSignerPem, trustedListXml] = await Promise.all([
      readFile(paths.caPath, 'utf8'),
      readFile(paths.signerPath, 'utf8'),
      readFile(paths.signerKeyPath, 'utf8'),
      readFile(paths.tslSignerPath, 'utf8'),
      readFile(paths.trustedListPath, 'utf8'),
    ]);
    return { caPem, signerPem, signerKeyPem, tslSignerPem, trustedListXml };
  } catch {
    return null;
  }
}

/**
 * The certificates parse and are valid a day from now, the signer is the CA's, is qualified (QcCompliance, QcSSCD)
 * and still names this tenant, and the trusted list verifies with its signer and grants the CA as CA/QC then. A
 * folder made before the demo had a trusted list fails this and is made again.
 */
function stillValid(material: DemoPkiMaterial, subject: DemoSignerSubject, now: Date): boolean {
  try {
    const ca = new X509Certificate(material.caPem);
    const signer = new X509Certificate(material.signerPem);
    const tslSigner = new X509Certificate(material.tslSignerPem);
    const tomorrow = new Date(now.getTime() + DAY_MS);
    const statements = qcStatements(pkijs.Certificate.fromBER(new Uint8Array(signer.raw))) ?? [];
    const list = readTrustedList(material.trustedListXml, [material.tslSignerPem], 'the demo trusted list');
    return (
      signer.checkIssued(ca) &&
      signer.verify(ca.publicKey) &&
      [ca, signer, tslSigner].every((cert) => Date.parse(cert.validTo) > tomorrow.getTime()) &&
      signer.subject.includes(`VATIT-${bareVat(subject.vat)}`) &&
      signer.subject.includes(`TINIT-${subject.taxCode.toUpperCase()}`) &&
      statements.includes(QC.compliance) &&
      statements.includes(QC.sscd) &&
      grantedCertificates([list], [SERVICE_TYPE.caQc], tomorrow).some((der) => ca.raw.equals(Buffer.from(der)))
    );
  } catch {
    return false;
  }
}

const bareVat = (vat: string) => vat.replace(/\s+/g, '').replace(/^IT/i, '');

/**
 * A root CA (ECDSA P-256, basicConstraints CA, keyCertSign and cRLSign) and the signer (RSA 2048, as a signature
 * smart card has; digitalSignature and nonRepudiation, not a CA; QcCompliance and QcSSCD), valid from a day before
 * `now` for ten years; and the trusted list naming the CA, signed by a list signer made for it (RSA 2048, as XMLDSig
 * RSA-SHA256 wants).
 */
export async function buildDemoPki(subject: DemoSignerSubject, now = new Date()): Promise<DemoPkiMaterial> {
  const caKeys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const signerKeys = (await subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const tslKeys = (await subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const notBefore = new Date(now.getTime() - DAY_MS);
  const notAfter = new Date(now.getTime() + 3650 * DAY_MS);

  const caName: [string, string][] = [
    [OID.country, 'IT'],
    [OID.organization, DEMO_CA_ORGANIZATION],
    [OID.commonName, 'Filiera Demo Root CA'],
  ];
  const ca = await certificate({
    subject: caName,
    issuer: caName,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    issuerPublicKey: caKeys.publicKey,
    notBefore,
    notAfter,
    isCa: true,
  });
  const signer = await certificate({
    subject: [
      [OID.country, 'IT'],
      [OID.organization, subject.organization],
      [OID.organizationIdentifier, `VATIT-${bareVat(subject.vat)}`],
      [OID.serialNumber, `TINIT-${subject.taxCode.toUpperCase()}`],
      [OID.givenName, subject.givenName],
      [OID.surname, subject.surname],
      [OID.commonName, `${subject.givenName} ${subject.surname}`],
    ],
    issuer: caName,
    publicKey: signerKeys.publicKey,
    signingKey: caKeys.privateKey,
    issuerPublicKey: caKeys.publicKey,
    notBefore,
    notAfter,
    isCa: false,
    qcStatements: [QC.compliance, QC.sscd],
  });
  // Named as the demo CA's organisation: the CDK app refuses a configuration whose list it signs (infra/cdk/settings.ts).
  const tslName: [string, string][] = [
    [OID.country, 'IT'],
    [OID.organization, DEMO_CA_ORGANIZATION],
    [OID.commonName, 'Filiera Demo Trusted List Signer'],
  ];
  const tslSigner = await certificate({
    subject: tslName,
    issuer: tslName,
    publicKey: tslKeys.publicKey,
    signingKey: tslKeys.privateKey,
    issuerPublicKey: tslKeys.publicKey,
    notBefore,
    notAfter,
    isCa: false,
    extendedKeyUsage: [OID.tslSigning],
  });
  const signerKey = new Uint8Array(await subtle.exportKey('pkcs8', signerKeys.privateKey));
  const tslKey = new Uint8Array(await subtle.exportKey('pkcs8', tslKeys.privateKey));
  const caPem = pem('CERTIFICATE', ca);
  const tslSignerPem = pem('CERTIFICATE', tslSigner);
  const trustedListXml = signTrustedList(demoTrustedList(ca, now, notBefore, notAfter), tslSignerPem, pem('PRIVATE KEY', tslKey));
  return { caPem, signerPem: pem('CERTIFICATE', signer), signerKeyPem: pem('PRIVATE KEY', signerKey), tslSignerPem, trustedListXml };
}

const TSL = 'http://uri.etsi.org/TrstSvc';
const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** ETSI TS 119 612 dates: UTC, seconds, Z. */
const xmlTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The demo's trusted list (unsigned): one trust service provider, the demo CA as its one CA/QC service, granted from
 * the CA's notBefore. Its next update is the CA's expiry: the list is made again with the PKI, never on its own.
 */
function demoTrustedList(caDer: Uint8Array, issued: Date, grantedFrom: Date, nextUpdate: Date): string {
  const name = (value: string) => `<tsl:Name xml:lang="en">${xmlText(value)}</tsl:Name>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" Id="TrustServiceStatusList" TSLTag="http://uri.etsi.org/19612/TSLTag">
<tsl:SchemeInformation>
<tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier>
<tsl:TSLSequenceNumber>1</tsl:TSLSequenceNumber>
<tsl:TSLType>${TSL}/TrustedList/TSLType/EUgeneric</tsl:TSLType>
<tsl:SchemeOperatorName>${name(`${DEMO_CA_ORGANIZATION}: demo trusted list`)}</tsl:SchemeOperatorName>
<tsl:SchemeTerritory>IT</tsl:SchemeTerritory>
<tsl:ListIssueDateTime>${xmlTime(issued)}</tsl:ListIssueDateTime>
<tsl:NextUpdate><tsl:dateTime>${xmlTime(nextUpdate)}</tsl:dateTime></tsl:NextUpdate>
</tsl:SchemeInformation>
<tsl:TrustServiceProviderList><tsl:TrustServiceProvider>
<tsl:TSPInformation><tsl:TSPName>${name(DEMO_CA_ORGANIZATION)}</tsl:TSPName></tsl:TSPInformation>
<tsl:TSPServices><tsl:TSPService><tsl:ServiceInformation>
<tsl:ServiceTypeIdentifier>${SERVICE_TYPE.caQc}</tsl:ServiceTypeIdentifier>
<tsl:ServiceName>${name('Filiera Demo Root CA')}</tsl:ServiceName>
<tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>${Buffer.from(caDer).toString('base64')}</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>
<tsl:ServiceStatus>${TSL}/TrustedList/Svcstatus/granted</tsl:ServiceStatus>
<tsl:StatusStartingTime>${xmlTime(grantedFrom)}</tsl:StatusStartingTime>
</tsl:ServiceInformation></tsl:TSPService></tsl:TSPServices>
</tsl:TrustServiceProvider></tsl:TrustServiceProviderList>
</tsl:TrustServiceStatusList>
`;
}

/** An enveloped XMLDSig over the whole list (RSA-SHA256, exclusive C14N), as trusted lists are signed, with xml-crypto. */
function signTrustedList(xml: string, certPem: string, keyPem: string): string {
  const signature = new SignedXml({
    privateKey: keyPem,
    publicCert: certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signature.addReference({
    xpath: '/*',
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    isEmptyUri: true,
  });
  signature.computeSignature(xml, { location: { reference: '/*', action: 'append' } });
  return signature.getSignedXml();
}

async function certificate(spec: {
  subject: [string, string][];
  issuer: [string, string][];
  publicKey: CryptoKey;
  signingKey: CryptoKey;
  issuerPublicKey: CryptoKey;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  /** ETSI EN 319 412-5 QC statement ids (a qualified certificate's). */
  qcStatements?: string[];
  extendedKeyUsage?: string[];
}): Promise<Uint8Array> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: serialNumber() });
  cert.subject = distinguishedName(spec.subject);
  cert.issuer = distinguishedName(spec.issuer);
  cert.notBefore.value = spec.notBefore;
  cert.notAfter.value = spec.notAfter;
  await cert.subjectPublicKeyInfo.importKey(spec.publicKey);

  const subjectKeyId = await keyIdentifier(spec.publicKey);
  const authorityKeyId = await keyIdentifier(spec.issuerPublicKey);
  // keyUsage bits, first byte most significant: digitalSignature 0x80, nonRepudiation 0x40, keyCertSign 0x04,
  // cRLSign 0x02; the leading octet of the BIT STRING counts the unused bits.
  const keyUsage = spec.isCa ? new Uint8Array([0x01, 0x06]) : new Uint8Array([0x06, 0xc0]);
  cert.extensions = [
    new pkijs.Extension({
      extnID: OID.basicConstraints,
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: spec.isCa }).toSchema().toBER(false),
    }),
    new pkijs.Extension({
      extnID: OID.keyUsage,
      critical: true,
      extnValue: new asn1js.BitString({ valueHex: keyUsage.slice(1), unusedBits: keyUsage[0]! }).toBER(false),
    }),
    new pkijs.Extension({
      extnID: OID.subjectKeyIdentifier,
      extnValue: new asn1js.OctetString({ valueHex: subjectKeyId }).toBER(false),
    }),
    new pkijs.Extension({
      extnID: OID.authorityKeyIdentifier,
      extnValue: new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: authorityKeyId }) })
        .toSchema()
        .toBER(false),
    }),
  ];
  if (spec.extendedKeyUsage) {
    cert.extensions.push(
      new pkijs.Extension({
        extnID: OID.extendedKeyUsage,
        extnValue: new pkijs.ExtKeyUsage({ keyPurposes: spec.extendedKeyUsage }).toSchema().toBER(false),
      }),
    );
  }
  if (spec.qcStatements) {
    const statements = spec.qcStatements.map((id) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: id })] }));
    cert.extensions.push(new pkijs.Extension({ extnID: OID.qcStatements, extnValue: new asn1js.Sequence({ value: statements }).toBER(false) }));
  }
  await cert.sign(spec.signingKey, 'SHA-256');
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

/**
 * One attribute per RDN, in order, as CAs write names (pkijs would put a fresh name's attributes in one multi-valued
 * RDN: "C=IT + O=..."): built as DER and parsed back, so pkijs keeps these exact bytes.
 */
function distinguishedName(attributes: [string, string][]): pkijs.RelativeDistinguishedNames {
  const sequence = new asn1js.Sequence({
    value: attributes.map(([type, value]) => {
      const printable = type === OID.country || type === OID.serialNumber;
      const text = printable ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value });
      return new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: text }).toSchema()] });
    }),
  });
  const parsed = asn1js.fromBER(sequence.toBER(false));
  return new pkijs.RelativeDistinguishedNames({ schema: parsed.result });
}

/** RFC 5280 4.2.1.2, method 1: SHA-1 of the subjectPublicKey bits. */
async function keyIdentifier(key: CryptoKey): Promise<ArrayBuffer> {
  const spki = new pkijs.PublicKeyInfo();
  await spki.importKey(key);
  return subtle.digest('SHA-1', new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView));
}

/** 16 random bytes, positive. */
function serialNumber(): ArrayBuffer {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.buffer;
}

function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
