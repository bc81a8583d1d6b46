import { webcrypto, X509Certificate } from 'node:crypto';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ensurePrivateDir, writePrivateFile } from './private-files.js';

/**
 * The demo PKI: a root CA and one signer under it, made on this machine at the first start of the local stack and
 * kept in its data folder, so that no private key ships with the project (docs/configuration.md: a key in the
 * repository lets anyone mint an approved signature). Built in-process with pkijs and WebCrypto, no openssl.
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
}

export interface DemoPki extends DemoPkiMaterial {
  dir: string;
  caPath: string;
  signerPath: string;
  signerKeyPath: string;
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
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

const DAY_MS = 86_400_000;
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

/** Files of the demo PKI in `{dataDir}/demo-pki` (the CA's key is not kept: nothing issues further certificates). */
export function demoPkiPaths(dataDir: string): { dir: string; caPath: string; signerPath: string; signerKeyPath: string } {
  const dir = path.join(path.resolve(dataDir), 'demo-pki');
  return { dir, caPath: path.join(dir, 'ca.pem'), signerPath: path.join(dir, 'signer.pem'), signerKeyPath: path.join(dir, 'signer.key.pem') };
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
    const [caPem, signerPem, signerKeyPem] = await Promise.all([
      readFile(paths.caPath, 'utf8'),
      readFile(paths.signerPath, 'utf8'),
      readFile(paths.signerKeyPath, 'utf8'),
    ]);
    return { caPem, signerPem, signerKeyPem };
  } catch {
    return null;
  }
}

/** Both certificates parse, are valid a day from now, the signer is the CA's and still names this tenant. */
function stillValid(material: DemoPkiMaterial, subject: DemoSignerSubject, now: Date): boolean {
  try {
    const ca = new X509Certificate(material.caPem);
    const signer = new X509Certificate(material.signerPem);
    const tomorrow = now.getTime() + DAY_MS;
    return (
      signer.checkIssued(ca) &&
      signer.verify(ca.publicKey) &&
      Date.parse(ca.validTo) > tomorrow &&
      Date.parse(signer.validTo) > tomorrow &&
      signer.subject.includes(`VATIT-${bareVat(subject.vat)}`) &&
      signer.subject.includes(`TINIT-${subject.taxCode.toUpperCase()}`)
    );
  } catch {
    return false;
  }
}

const bareVat = (vat: string) => vat.replace(/\s+/g, '').replace(/^IT/i, '');

/**
 * A root CA (ECDSA P-256, basicConstraints CA, keyCertSign and cRLSign) and the signer (RSA 2048, as a signature
 * smart card has; digitalSignature and nonRepudiation, not a CA), valid from a day before `now` for ten years.
 */
export async function buildDemoPki(subject: DemoSignerSubject, now = new Date()): Promise<DemoPkiMaterial> {
  const caKeys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const signerKeys = (await subtle.generateKey(
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
  });
  const signerKey = new Uint8Array(await subtle.exportKey('pkcs8', signerKeys.privateKey));
  return { caPem: pem('CERTIFICATE', ca), signerPem: pem('CERTIFICATE', signer), signerKeyPem: pem('PRIVATE KEY', signerKey) };
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
