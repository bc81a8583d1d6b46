/**
 * Digital-signature verification for attestations (docs/attestation-format.md, docs/verdict-rules.md): CAdES (attached, nested envelopes,
 * parallel signers) and PAdES (every signature field of the PDF; RFC 3161 document timestamps are verified as
 * timestamps, not as signatures). pkijs/asn1js read the structures; node:crypto checks signatures.
 *
 * 1. Find every signature of the file: each SignerInfo of each envelope, each PAdES signature field.
 * 2. Check each one on its own (integrity, coverage, chain, validity, key usage, signing time, ESS binding).
 * 3. The file is as good as its worst signature; at least one signer must identify the tenant.
 * Every check ends in the report with a sentence in English and Italian; bad input is a failed check, never an
 * exception.
 */
import { constants, createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ACCEPTED_DIGESTS, DIGESTS, digestLabel, keyStrength, schemeOf, type DigestName } from './algorithms.js';
import { CertPool, QC, TIME_STAMPING_EKU, buildPath, certFromDer, certFromPkijs, certsFromPem, cnOf, extendedKeyUsage, qcStatements, signerUsage, type Cert } from './certificates.js';
import { SERVICE_TYPE, grantedCertificates, statusAt } from './trusted-list.js';
import {
  CmsError,
  DEFAULT_CMS_LIMITS,
  OID,
  attributeValues,
  certificateDer,
  nameAttribute,
  parseSignedData,
  italianCmsReason,
  renderName,
  unwrapCades,
  type CmsLimits,
  type ParsedCms,
} from './cms.js';
import {
  SIGNATURE_CHECK_ORDER,
  type CadesEvidence,
  type ChainFacts,
  type QualifiedFacts,
  type RevocationFacts,
  type TimestampFacts,
  type CheckOutcome,
  type DocumentTimestampReport,
  type PadesEvidence,
  type PadesSignatureField,
  type SignatureCheck,
  type SignatureCheckName,
  type SignatureExpectations,
  type SignatureReport,
  type SignatureValidation,
  type SignedEvidence,
  type SignerIdentity,
} from './model.js';
import type { checkUpdatesAfter } from './pdf-updates.js';
import { indicationOf, worstOf } from './indication.js';
import { checkRevocation, revocationSubjectKey, revocationValues, type RevocationDecision } from './revocation.js';
import type { FetchedRevocation, RevocationSubject } from '../ports/revocation-fetcher.js';
import { bi, instant, type Bilingual } from './text.js';

/**
 * The PAdES checks read the PDF's objects with pdf-lib, which decompresses its font metrics when imported: loaded at
 * the first signed PDF, not at every start of a process (a Lambda's cold start) that may never see one.
 */
const pdfUpdates = () => import('./pdf-updates.js');

const SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);
/** docs/verdict-rules.md: a signing time may be at most this much later than processing (clock skew). */
export const SIGNING_TIME_SKEW_MS = 5 * 60_000;
const TST_INFO = '1.2.840.113549.1.9.16.1.4';

/**
 * With a revocation lookup (docs/configuration.md, revocation.fetch), the file is verified twice: the first pass finds
 * the certificates whose status the configured and embedded data leave open (or cannot vouch for without a trusted
 * timestamp), their issuers' responders and distribution points are asked, and the second pass uses the answers as it
 * uses revocation data carried in the signature. Without one, or when nothing is open, once.
 */
export async function verifySignature(evidence: SignedEvidence, expectations: SignatureExpectations): Promise<SignatureReport> {
  const first = await verifyOnce(evidence, expectations);
  const lookup = expectations.revocationLookup;
  if (!lookup || first.wanted.size === 0) return first.report;
  let fetched: FetchedRevocation;
  try {
    fetched = await lookup.lookup([...first.wanted.values()]);
  } catch {
    // The port never throws; were it to, the status stays what the first pass found.
    return first.report;
  }
  return (await verifyOnce(evidence, expectations, fetched)).report;
}

async function verifyOnce(evidence: SignedEvidence, expectations: SignatureExpectations, fetched?: FetchedRevocation): Promise<{ report: SignatureReport; wanted: Map<string, RevocationSubject> }> {
  const context = new Context(expectations, fetched);
  const evaluations: SignatureValidation[] = [];
  const timestamps: DocumentTimestampReport[] = [];
  try {
    if (evidence.type === 'CAdES') verifyCades(context, evidence, evaluations);
    else await verifyPades(context, evidence, evaluations, timestamps);
  } catch (error) {
    // A fault in this code, not in the file: still a report, never a crash of the verdict.
    const failed = new SignatureBuilder(evidence.type, evaluations.length + 1, bi('the signature', 'la firma'));
    failed.check('integrity', 'fail', bi(`The signature could not be verified (${(error as Error).message})`, `Non è stato possibile verificare la firma (${(error as Error).message})`));
    evaluations.push(failed.build());
  }
  if (fetched) {
    const got = [...fetched.origins.values()];
    context.notes.push(
      `Revocation data fetched online: ${fetched.crls.length} CRL(s), ${fetched.ocsps.length} OCSP response(s)` +
        (got.length ? ` (${got.map((o) => `${o.url}${o.cached ? ', cached' : ''}`).join('; ')})` : '') +
        (fetched.problems.size ? `; ${fetched.problems.size} certificate(s) without an answer` : '') +
        '.',
    );
  }
  return { report: aggregate(evidence.type, evaluations, timestamps, context.notes), wanted: context.wanted };
}

class Context {
  readonly notes: string[] = [];
  readonly anchors: Cert[];
  readonly limits: CmsLimits;
  readonly crls: Uint8Array[];
  private readonly listCerts = new Map<string, Cert | null>();
  /** Certificates (with their issuers) whose status is to be asked online, by revocationSubjectKey. */
  readonly wanted = new Map<string, RevocationSubject>();

  constructor(
    readonly expectations: SignatureExpectations,
    /** What the lookup found, in the second pass. */
    readonly fetched?: FetchedRevocation,
  ) {
    this.limits = expectations.limits ?? DEFAULT_CMS_LIMITS;
    this.crls = expectations.crls ?? [];
    this.anchors = [];
    for (const pem of expectations.trustAnchors) {
      const certs = certsFromPem(pem, () => this.notes.push('A configured trust anchor could not be parsed and was ignored.'));
      if (certs.length === 0 && !/-----BEGIN CERTIFICATE-----/.test(pem)) this.notes.push('A configured trust anchor is not a PEM certificate and was ignored.');
      this.anchors.push(...certs);
    }
  }

  /**
   * Trust anchors at `at`: the configured PEM anchors, and the certificates of trusted-list services granted then
   * (CA/QC for signatures, TSA/QTST for timestamps; docs/configuration.md).
   */
  anchorsAt(at: Date, purpose: 'signature' | 'timestamp'): Cert[] {
    const lists = this.expectations.trustedLists ?? [];
    if (lists.length === 0) return this.anchors;
    const types = purpose === 'signature' ? [SERVICE_TYPE.caQc] : [SERVICE_TYPE.tsaQtst, SERVICE_TYPE.tsa];
    const fromLists = grantedCertificates(lists, types, at).flatMap((der) => {
      const key = Buffer.from(der).toString('base64');
      if (!this.listCerts.has(key)) this.listCerts.set(key, certFromDer(der) ?? null);
      return this.listCerts.get(key) ?? [];
    });
    return [...this.anchors, ...fromLists];
  }

  /** Whether `anchor` is a CA/QC service of a trusted list granted at `at` (a qualified certificate's issuer). */
  isQualifiedAnchor(anchor: Cert, at: Date): boolean {
    const raw = anchor.x509.raw;
    return grantedCertificates(this.expectations.trustedLists ?? [], [SERVICE_TYPE.caQc], at).some((der) => raw.equals(Buffer.from(der)));
  }

  /** The CA/QC service of a trusted list granted at `at` whose certificate `cert` is: its name and the list's territory. */
  listedService(cert: Cert, at: Date): { service: string; territory: string } | undefined {
    const raw = cert.x509.raw;
    for (const list of this.expectations.trustedLists ?? []) {
      for (const service of list.services) {
        const status = statusAt(service, at);
        if (status?.granted && status.type === SERVICE_TYPE.caQc && service.certificates.some((der) => raw.equals(Buffer.from(der)))) {
          return { service: service.name, territory: list.territory };
        }
      }
    }
    return undefined;
  }

  /** The anchor a path reached and where its trust comes from (a configured PEM anchor first, as buildPath is given them). */
  chainFacts(path: Cert[], anchor: Cert, at: Date): ChainFacts {
    const listed = this.listedService(anchor, at);
    const configured = this.anchors.some((a) => a.x509.raw.equals(anchor.x509.raw));
    return {
      anchor: cnOf(anchor),
      source: configured || !listed ? 'configured' : 'trusted-list',
      ...(listed ? listed : {}),
      path: path.map((c) => renderName(c.pk.subject)),
    };
  }

  /** Where the CRL or OCSP response that decided a revocation status came from: fetched (with its URL), configured, or carried. */
  revocationFacts(decided: RevocationDecision): RevocationFacts {
    const { der, issuedAt, revokedAt, ...rest } = decided;
    const fetched = der ? this.fetched?.origins.get(der) : undefined;
    const origin = !der ? undefined : fetched ? 'fetched' : this.crls.includes(der) ? 'configured' : 'embedded';
    return {
      ...rest,
      ...(origin ? { origin } : {}),
      ...(fetched ? { url: fetched.url } : {}),
      ...(issuedAt ? { issuedAt: issuedAt.toISOString() } : {}),
      ...(revokedAt ? { revokedAt: revokedAt.toISOString() } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Finding the signatures

function verifyCades(context: Context, evidence: CadesEvidence, out: SignatureValidation[]): void {
  const coverage = bi(
    'A CAdES envelope signs the enclosed document as a whole: nothing outside it is part of the attestation',
    "Una busta CAdES firma il documento racchiuso nella sua interezza: nulla al di fuori di essa fa parte della dichiarazione",
  );
  let unwrapped: ReturnType<typeof unwrapCades>;
  try {
    unwrapped = unwrapCades(evidence.cms, context.limits);
  } catch (error) {
    const failed = new SignatureBuilder('CAdES', 1, bi('the envelope', 'la busta'));
    failed.check('coverage', 'not_applicable', coverage);
    failed.check('integrity', 'fail', malformed(error));
    out.push(failed.build());
    return;
  }
  const layers = unwrapped.layers;
  if (!unwrapped.content) {
    const failed = new SignatureBuilder('CAdES', 1, bi('the envelope', 'la busta'));
    failed.check('coverage', 'not_applicable', coverage);
    failed.check('integrity', 'fail', bi(
      'The CAdES envelope carries no content (a detached signature without the signed document)',
      'La busta CAdES non contiene il documento (una firma separata senza il documento firmato)',
    ));
    out.push(failed.build());
    return;
  }
  if (layers.length > 1) context.notes.push(`The file holds ${layers.length} nested envelopes (.p7m in .p7m): each is verified, the innermost content is the document.`);
  // Certificates of every envelope may complete a path: a countersigner's tool often omits the first signer's CA.
  const pool = new CertPool(layers.flatMap((l) => l.cms.certificateDers));
  const embeddedCrls = layers.flatMap((l) => l.cms.crlDers);
  layers.forEach((layer, l) => {
    const infos = layer.cms.signedData.signerInfos;
    const where = (j: number) =>
      bi(
        [layers.length > 1 ? `envelope ${l + 1} of ${layers.length}` : '', infos.length > 1 ? `signer ${j + 1} of ${infos.length}` : ''].filter(Boolean).join(', ') || 'the signature',
        [layers.length > 1 ? `busta ${l + 1} di ${layers.length}` : '', infos.length > 1 ? `firmatario ${j + 1} di ${infos.length}` : ''].filter(Boolean).join(', ') || 'la firma',
      );
    if (infos.length === 0) {
      const failed = new SignatureBuilder('CAdES', out.length + 1, where(0));
      failed.check('coverage', 'not_applicable', coverage);
      failed.check('integrity', 'fail', bi('The envelope has no signer', 'La busta non ha alcun firmatario'));
      out.push(failed.build());
      return;
    }
    infos.forEach((signerInfo, j) => {
      const builder = new SignatureBuilder('CAdES', out.length + 1, where(j));
      builder.check('coverage', 'not_applicable', coverage);
      evaluateSigner(context, builder, { cms: layer.cms, signerInfo, content: layer.cms.content!, pool, type: 'CAdES', crls: embeddedCrls });
      out.push(builder.build());
      countersignatures(context, out, where(j), signerInfo, { cms: layer.cms, pool, type: 'CAdES', crls: embeddedCrls }, coverage);
    });
  });
}

async function verifyPades(context: Context, evidence: PadesEvidence, out: SignatureValidation[], timestamps: DocumentTimestampReport[]): Promise<void> {
  const fields: PadesSignatureField[] = evidence.signatures ?? [{ ...evidence, kind: evidence.kind ?? 'signature' }];
  const signatureFields = fields.filter((f) => f.kind === 'signature');
  if (fields.length > 1) {
    context.notes.push(`The PDF holds ${signatureFields.length} signature(s) and ${fields.length - signatureFields.length} document timestamp(s): every one is verified.`);
  }
  // Long-term validation data of the whole file (PAdES /DSS): certificates and CRLs for every signature.
  const dss = signatureFields.length > 0 ? await (await pdfUpdates()).readDss(evidence.file) : { certificates: [], crls: [], ocsps: [] };
  let signatureNumber = 0;
  for (const [k, field] of fields.entries()) {
    if (field.kind === 'document-timestamp') {
      timestamps.push(verifyDocumentTimestamp(context, evidence, field, timestamps.length + 1, new CertPool(dss.certificates)));
      continue;
    }
    signatureNumber += 1;
    const label =
      signatureFields.length > 1
        ? bi(`PDF signature ${signatureNumber} of ${signatureFields.length}`, `firma PDF ${signatureNumber} di ${signatureFields.length}`)
        : bi('the signature', 'la firma');
    const builder = new SignatureBuilder('PAdES', out.length + 1, label);
    await verifyPadesField(context, builder, evidence, field, fields.slice(k + 1), dss);
    out.push(builder.build());
    if (builder.countersigned) countersignatures(context, out, label, builder.countersigned.signerInfo, builder.countersigned.input, bi('A countersignature signs the signature it counters', 'Una controfirma firma la firma che controfirma'));
  }
}

async function verifyPadesField(
  context: Context,
  builder: SignatureBuilder,
  evidence: PadesEvidence,
  field: PadesSignatureField,
  later: PadesSignatureField[],
  dss: { certificates: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] },
): Promise<void> {
  await checkCoverage(builder, evidence, field, later);
  if (field.problem) {
    builder.check('integrity', 'fail', bi(field.problem, field.problemIt ?? field.problem));
    return;
  }
  if (field.subFilter && !SUBFILTERS.has(field.subFilter)) {
    builder.check('integrity', 'fail', bi(
      `The signature's SubFilter /${field.subFilter} is not supported (adbe.pkcs7.detached or ETSI.CAdES.detached expected)`,
      `Il SubFilter /${field.subFilter} della firma non è supportato (atteso adbe.pkcs7.detached o ETSI.CAdES.detached)`,
    ));
    return;
  }
  const signedContent = rangesContent(evidence.file, field.byteRange);
  if (!signedContent) {
    builder.check('integrity', 'fail', bi(
      'The /ByteRange of the signature points outside the file: the signed bytes cannot be located',
      'Il /ByteRange della firma punta fuori dal file: i byte firmati non possono essere individuati',
    ));
    return;
  }
  let cms: ParsedCms;
  try {
    cms = parseSignedData(field.cms, context.limits);
  } catch (error) {
    builder.check('integrity', 'fail', malformed(error));
    return;
  }
  if (cms.content) builder.notes.push('The PAdES CMS also encapsulates content; only the PDF byte ranges are treated as signed.');
  const infos = cms.signedData.signerInfos;
  if (infos.length !== 1) {
    builder.check('integrity', 'fail', bi(
      `The PDF signature holds ${infos.length} signers; a PAdES signature has exactly one`,
      `La firma PDF contiene ${infos.length} firmatari; una firma PAdES ne ha esattamente uno`,
    ));
    return;
  }
  const pool = new CertPool([...cms.certificateDers, ...dss.certificates]);
  const dictionaryTime = field.claimedTime ? new Date(field.claimedTime) : undefined;
  evaluateSigner(context, builder, {
    cms,
    signerInfo: infos[0]!,
    content: signedContent,
    pool,
    type: 'PAdES',
    crls: [...cms.crlDers, ...dss.crls],
    ocsps: dss.ocsps,
    ...(dictionaryTime ? { dictionaryTime } : {}),
  });
  builder.countersigned = { signerInfo: infos[0]!, input: { cms, pool, type: 'PAdES', crls: [...cms.crlDers, ...dss.crls], ocsps: dss.ocsps } };
}

const COUNTERSIGNATURE = '1.2.840.113549.1.9.6';

/**
 * Countersignatures (RFC 5652 11.4, the "controfirma" of Italian tools) of a signer: each signs the signer's signature
 * value and counts like any other signature (docs/verdict-rules.md: every signature counts), its own countersignatures too.
 */
function countersignatures(
  context: Context,
  out: SignatureValidation[],
  parent: Bilingual,
  signerInfo: pkijs.SignerInfo,
  input: Omit<SignerInput, 'signerInfo' | 'content'>,
  coverage: Bilingual,
  depth = 0,
): void {
  const values = signerInfo.unsignedAttrs?.attributes.filter((a) => a.type === COUNTERSIGNATURE).flatMap((a) => a.values) ?? [];
  values.forEach((value, k) => {
    const label = bi(`${parent.en}, countersignature ${k + 1}`, `${parent.it}, controfirma ${k + 1}`);
    const builder = new SignatureBuilder(input.type, out.length + 1, label);
    builder.check('coverage', 'not_applicable', coverage);
    let counter: pkijs.SignerInfo;
    try {
      counter = new pkijs.SignerInfo({ schema: value });
    } catch {
      builder.check('integrity', 'fail', bi('The countersignature is malformed', 'La controfirma non è ben formata'));
      out.push(builder.build());
      return;
    }
    const content = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
    evaluateSigner(context, builder, { ...input, signerInfo: counter, content, countersignature: true });
    out.push(builder.build());
    if (depth < 4) countersignatures(context, out, label, counter, input, coverage, depth + 1);
  });
}

function malformed(error: unknown): Bilingual {
  const reason = error instanceof CmsError ? error.message : (error as Error).message;
  const limit = error instanceof CmsError && error.cause === 'limit';
  return limit
    ? bi(`The signature is malformed: ${reason} (Filiera specification §9 bounds what one signature may make the reader build)`, `La firma non è ben formata: ${italianCmsReason(reason)} (i limiti di lettura di una firma sono superati)`)
    : bi(`The signature is malformed: ${reason}`, `La firma non è ben formata: ${italianCmsReason(reason)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// One signature

class SignatureBuilder {
  readonly checks: SignatureCheck[] = [];
  readonly notes: string[] = [];
  signer?: SignerIdentity;
  signingTime?: string;
  identifiesTenant = false;
  /** A PAdES signer whose countersignatures are evaluated after it (set by verifyPadesField). */
  countersigned?: { signerInfo: pkijs.SignerInfo; input: Omit<SignerInput, 'signerInfo' | 'content'> };
  /** The signing time comes from a verified signature timestamp of a trusted authority. */
  timestamped = false;
  chain?: ChainFacts;
  revocation?: RevocationFacts;
  timestamp?: TimestampFacts;
  qualified?: QualifiedFacts;

  constructor(
    readonly type: 'CAdES' | 'PAdES',
    readonly index: number,
    readonly label: Bilingual,
  ) {}

  check(name: SignatureCheckName, outcome: CheckOutcome, text: Bilingual): void {
    const existing = this.checks.find((c) => c.name === name);
    if (existing) {
      // A later, more specific failure replaces an earlier one only when it is a failure.
      if (existing.outcome !== 'fail') Object.assign(existing, { outcome, detail: text.en, detailIt: text.it });
      return;
    }
    this.checks.push({ name, outcome, detail: text.en, detailIt: text.it });
  }

  build(): SignatureValidation {
    for (const name of SIGNATURE_CHECK_ORDER) {
      if (!this.checks.some((c) => c.name === name)) {
        this.check(name, 'not_applicable', bi('Not evaluated: the signature could not be read far enough', 'Non valutato: la firma non è leggibile fino a questo punto'));
      }
    }
    this.checks.sort((a, b) => SIGNATURE_CHECK_ORDER.indexOf(a.name) - SIGNATURE_CHECK_ORDER.indexOf(b.name));
    // Identity is judged over the file; an unusable timestamp is information (docs/verdict-rules.md: the claimed time stands);
    // qualified status is a policy's question.
    const valid =
      this.checks.every((c) => c.name === 'identity' || c.name === 'timestamp' || c.name === 'qualified' || c.outcome !== 'fail') &&
      this.checks.some((c) => c.name === 'integrity' && c.outcome === 'pass');
    const status = indicationOf(this.checks);
    return {
      index: this.index,
      ...status,
      label: this.label.en,
      labelIt: this.label.it,
      type: this.type,
      valid,
      identifiesTenant: this.identifiesTenant,
      checks: this.checks,
      ...(this.signer ? { signer: this.signer } : {}),
      ...(this.signingTime ? { signingTime: this.signingTime } : {}),
      signingTimeSource: this.timestamped ? 'timestamp' : this.signingTime ? 'signed-attribute' : 'none',
      notes: this.notes,
      ...(this.chain ? { chain: this.chain } : {}),
      ...(this.revocation ? { revocation: this.revocation } : {}),
      ...(this.timestamp ? { timestamp: this.timestamp } : {}),
      ...(this.qualified ? { qualified: this.qualified } : {}),
    };
  }
}

interface SignerInput {
  cms: ParsedCms;
  signerInfo: pkijs.SignerInfo;
  content: Uint8Array;
  pool: CertPool;
  type: 'CAdES' | 'PAdES';
  /** Revocation data the file carries (SignedData.crls, PAdES /DSS); the signer's revocation values are added here. */
  crls: Uint8Array[];
  /** Set for a countersignature: it signs its parent's signature value, and carries no content-type attribute. */
  countersignature?: boolean;
  /** OCSP responses the file carries (PAdES /DSS /OCSPs). */
  ocsps?: Uint8Array[];
  /** PAdES: the signature dictionary's /M, the claimed signing time when the CMS carries no signing-time attribute. */
  dictionaryTime?: Date;
}

function evaluateSigner(context: Context, builder: SignatureBuilder, input: SignerInput): void {
  const { signerInfo, cms } = input;
  const now = context.expectations.now;

  // 1. The signer's certificate.
  const signerCert = input.pool.signerOf(signerInfo.sid);
  const cert = signerCert ? certFromPkijs(signerCert) : undefined;
  if (!signerCert || !cert) {
    builder.check('integrity', 'fail', bi(
      "The signer's certificate is not included in the signature, so it cannot be checked",
      'Il certificato del firmatario non è incluso nella firma, quindi non può essere verificato',
    ));
    return;
  }
  builder.signer = identityOf(signerCert);

  // 2. Integrity: algorithms, messageDigest over the content, then the signature value over the signed attributes.
  if (input.countersignature && attributeValues(signerInfo, OID.contentType)) {
    builder.check('integrity', 'fail', bi(
      'The countersignature carries a content-type attribute, which RFC 5652 forbids for countersignatures',
      "La controfirma contiene l'attributo content-type, che RFC 5652 vieta per le controfirme",
    ));
    return;
  }
  checkIntegrity(builder, signerInfo, input.content, cms.eContentType, cert, input.type);

  // 3. Signing time: a verified RFC 3161 signature timestamp from a trusted authority, else the signer's claim;
  //    not in the future; the time certificates are judged at.
  const attribute = signingTimeOf(signerInfo);
  const claimed = attribute ?? input.dictionaryTime;
  const claimSource = attribute ? 'signingTime attribute' : 'the signature dictionary’s /M';
  const stamp = signatureTimestamp(context, signerInfo, input.pool);
  if (stamp.state !== 'none' && stamp.facts) builder.timestamp = stamp.facts;
  if (stamp.state === 'used') {
    builder.check('timestamp', 'pass', stamp.text);
    builder.timestamped = true;
  } else if (stamp.state === 'unused') {
    builder.check('timestamp', 'fail', stamp.text);
  } else {
    builder.check('timestamp', 'absent', bi('The signature carries no RFC 3161 signature timestamp', 'La firma non ha una marca temporale RFC 3161'));
  }
  const signingTime = stamp.state === 'used' ? stamp.time : claimed;
  let at: Date;
  if (signingTime) {
    at = signingTime;
    builder.signingTime = signingTime.toISOString();
    if (stamp.state === 'used') {
      builder.notes.push(`The signing time is the time of a verified RFC 3161 timestamp by a trusted authority (${instant(signingTime)})${claimed ? `; the signer claimed ${instant(claimed)}` : ''}.`);
    } else {
      builder.notes.push(
        stamp.state === 'unused'
          ? `The signature’s RFC 3161 timestamp cannot be used: the signing time is the signer’s own claim (${claimSource}).`
          : `No RFC 3161 timestamp: the signing time is the signer’s own claim (${claimSource}), not certified by a third party.`,
      );
    }
    const which = stamp.state === 'used' ? bi('timestamped', 'marcata') : bi('claimed', 'dichiarata');
    if (signingTime.getTime() > now.getTime() + SIGNING_TIME_SKEW_MS) {
      builder.check('signing_time', 'fail', bi(
        `The ${which.en} signing time ${instant(signingTime)} is later than the time of processing ${instant(now)} (5 minutes of clock skew allowed): a signature cannot come from the future`,
        `L'ora di firma ${which.it} ${instant(signingTime)} è successiva al momento della verifica ${instant(now)} (tolleranza di 5 minuti): una firma non può venire dal futuro`,
      ));
    } else {
      builder.check('signing_time', 'pass', bi(
        `The signing time ${instant(signingTime)} is not later than the time of processing`,
        `L'ora di firma ${instant(signingTime)} non è successiva al momento della verifica`,
      ));
    }
  } else {
    at = now;
    builder.check('signing_time', 'absent', bi('The signature carries no signing time', "La firma non riporta l'ora di firma"));
    builder.notes.push(`The signature carries no signing time: certificate validity is checked at the time of processing (${instant(at)}).`);
  }

  // 4. The signer's certificate was valid at that time.
  const notBefore = signerCert.notBefore.value;
  const notAfter = signerCert.notAfter.value;
  const when = signingTime ? bi(`at the signing time ${instant(at)}`, `all'ora di firma ${instant(at)}`) : bi(`at the time of processing ${instant(at)}`, `al momento della verifica ${instant(at)}`);
  if (at < notBefore) {
    builder.check('validity', 'fail', bi(
      `The signer's certificate was not yet valid ${when.en}: it is valid from ${instant(notBefore)}`,
      `Il certificato del firmatario non era ancora valido ${when.it}: è valido dal ${instant(notBefore)}`,
    ));
  } else if (at > notAfter) {
    builder.check('validity', 'fail', bi(
      `The signer's certificate had expired ${when.en}: it was valid until ${instant(notAfter)}`,
      `Il certificato del firmatario era scaduto ${when.it}: era valido fino al ${instant(notAfter)}`,
    ));
  } else {
    builder.check('validity', 'pass', bi(
      `The signer's certificate was valid ${when.en} (${instant(notBefore)} to ${instant(notAfter)})`,
      `Il certificato del firmatario era valido ${when.it} (dal ${instant(notBefore)} al ${instant(notAfter)})`,
    ));
  }

  // 5. Chain to a trust anchor through certification authorities; the certificate is for signing documents.
  const path = buildPath(cert, input.pool, context.anchorsAt(at, 'signature'), at);
  builder.check('chain', path.chain.outcome, path.chain.text);
  if (path.chain.outcome === 'pass' && path.anchor) builder.chain = context.chainFacts(path.path, path.anchor, at);
  const usage = signerUsage(cert);
  builder.check('key_usage', usage.outcome, usage.text);

  // 6. Revocation at that time, from configured CRLs, the revocation data the signature carries and, with
  //    revocation.fetch, what the certificates' responders and distribution points answered.
  const values = revocationValues(signerInfo);
  const fetched = context.fetched;
  const crls = [...context.crls, ...input.crls, ...values.crls, ...(fetched?.crls ?? [])];
  const ocsps = [...(input.ocsps ?? []), ...values.ocsps, ...(fetched?.ocsps ?? [])];
  const anchored = path.chain.outcome === 'pass' && path.anchor !== undefined;
  const revocation = checkRevocation(path.path, anchored, crls, at, builder.timestamped, ocsps, fetched);
  builder.check('revocation', revocation.outcome, revocation.text);
  builder.revocation = context.revocationFacts(revocation.decided);
  // Asked online: an open status, and also a status the data at hand settle only for a claimed signing time, since a
  // later compromise counts whatever that claim (docs/verdict-rules.md) and only the current status shows one.
  if (context.expectations.revocationLookup && !fetched && anchored && (revocation.outcome === 'absent' || (revocation.outcome === 'pass' && !builder.timestamped))) {
    for (let i = 0; i < path.path.length - 1; i++) {
      const subject = { certificate: new Uint8Array(path.path[i]!.x509.raw), issuer: new Uint8Array(path.path[i + 1]!.x509.raw) };
      context.wanted.set(revocationSubjectKey(subject.certificate, subject.issuer), subject);
    }
  }

  // 7. ESS signing-certificate(-v2): binds the signature to this very certificate.
  checkSigningCertificate(builder, signerInfo, signerCert, certificateDer(signerCert));

  // 8. Identity: the certificate names the tenant or one of its registered signatories.
  checkIdentity(builder, builder.signer, context.expectations);

  // 9. Qualified status (docs/verdict-rules.md, requireQualified): QC statements of the certificate and a trusted list's
  //    CA/QC service granted at the signing time on its path.
  checkQualified(builder, context, cert, path.chain.outcome === 'pass' ? path.path : [], at);
  if (revocation.outcome !== 'pass') {
    builder.notes.push(
      context.expectations.revocationLookup
        ? "Revocation is read from the configured CRLs, the CRLs and OCSP responses the signature carries, and those fetched from the certificates' CRL distribution points and OCSP responders."
        : 'Revocation is read from the configured CRLs and the CRLs and OCSP responses the signature carries; nothing is fetched online (revocation.fetch is off).',
    );
  }
}

async function checkCoverage(builder: SignatureBuilder, evidence: PadesEvidence, field: PadesSignatureField, later: PadesSignatureField[]): Promise<void> {
  const range = field.byteRange;
  if (!range || range.length !== 4 || range.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    builder.check('coverage', 'fail', bi(
      'The signature dictionary has no readable /ByteRange: what it signs is unknown',
      'Il dizionario di firma non ha un /ByteRange leggibile: non si sa che cosa firmi',
    ));
    return;
  }
  const [o1, l1, o2, l2] = range as [number, number, number, number];
  const end = o2 + l2;
  const problems: Bilingual[] = [];
  if (o1 !== 0) problems.push(bi(`the signed bytes start at offset ${o1}, not at the beginning of the file`, `i byte firmati iniziano all'offset ${o1}, non all'inizio del file`));
  if (o2 < o1 + l1) problems.push(bi('the two signed ranges overlap', 'i due intervalli firmati si sovrappongono'));
  if (end > evidence.fileLength) {
    problems.push(bi(
      `the signed ranges end at offset ${end}, beyond the end of the file (${evidence.fileLength} bytes)`,
      `gli intervalli firmati terminano all'offset ${end}, oltre la fine del file (${evidence.fileLength} byte)`,
    ));
  }
  if (!field.contents) problems.push(bi('the signature dictionary has no /Contents hex string', 'il dizionario di firma non ha una stringa esadecimale /Contents'));
  else if (field.contents.start !== o1 + l1 || field.contents.end !== o2) {
    problems.push(bi(
      `the unsigned gap (${o1 + l1}–${o2}) is not exactly the signature's /Contents (${field.contents.start}–${field.contents.end})`,
      `l'intervallo non firmato (${o1 + l1}–${o2}) non coincide con il /Contents della firma (${field.contents.start}–${field.contents.end})`,
    ));
  }
  let updates: Awaited<ReturnType<typeof checkUpdatesAfter>> | undefined;
  if (problems.length === 0 && end < evidence.fileLength) {
    // docs/verdict-rules.md: after the signed revision, only validation data, document timestamps and further signatures.
    updates = await (await pdfUpdates()).checkUpdatesAfter(evidence.file, end, later);
    problems.push(...updates.problems);
  }
  if (problems.length > 0) {
    builder.check('coverage', 'fail', bi(
      `The signature does not cover the whole file: ${problems.map((p) => p.en).join('; ')}`,
      `La firma non copre l'intero file: ${problems.map((p) => p.it).join('; ')}`,
    ));
  } else if (updates) {
    builder.check('coverage', 'pass', bi(
      `The signature covers every byte of its revision (${end} bytes) except its own /Contents; what was added after it is only ${updates.added.en}`,
      `La firma copre ogni byte della sua revisione (${end} byte) tranne il proprio /Contents; dopo di essa sono stati aggiunti solo ${updates.added.it}`,
    ));
  } else {
    builder.check('coverage', 'pass', bi(
      `The signature covers every byte of the file (${evidence.fileLength} bytes) except its own /Contents`,
      `La firma copre ogni byte del file (${evidence.fileLength} byte) tranne il proprio /Contents`,
    ));
  }
}

function rangesContent(file: Uint8Array, range: number[] | null): Uint8Array | null {
  if (!range || range.length !== 4) return null;
  const [o1, l1, o2, l2] = range as [number, number, number, number];
  if (o1 + l1 > file.length || o2 + l2 > file.length || o2 < o1 + l1) return null;
  return Buffer.concat([file.subarray(o1, o1 + l1), file.subarray(o2, o2 + l2)]);
}

/** Verifies a SignerInfo over `content`: algorithms, messageDigest, contentType and the signature value. */
function checkIntegrity(builder: SignatureBuilder, signerInfo: pkijs.SignerInfo, content: Uint8Array, eContentType: string, cert: Cert, type: 'CAdES' | 'PAdES' | 'timestamp'): void {
  const outcome = verifySignerInfo(signerInfo, content, eContentType, cert.x509.publicKey, type);
  builder.check('integrity', outcome.ok ? 'pass' : 'fail', outcome.text);
  if (outcome.note) builder.notes.push(outcome.note);
}

interface SignerInfoOutcome {
  ok: boolean;
  text: Bilingual;
  note?: string;
}

export function verifySignerInfo(signerInfo: pkijs.SignerInfo, content: Uint8Array, eContentType: string, key: KeyObject, type: 'CAdES' | 'PAdES' | 'timestamp'): SignerInfoOutcome {
  const fail = (en: string, it: string): SignerInfoOutcome => ({ ok: false, text: bi(en, it) });
  const digestName = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
  if (!digestName || !ACCEPTED_DIGESTS.has(digestName)) {
    const name = digestName ? digestLabel(digestName) : signerInfo.digestAlgorithm.algorithmId;
    return fail(
      `The signature uses the digest algorithm ${name}, which is not accepted (ETSI TS 119 312: SHA-256, SHA-384, SHA-512 or SHA3-256, SHA3-384, SHA3-512)`,
      `La firma usa l'algoritmo di hash ${name}, che non è ammesso (ETSI TS 119 312: SHA-256, SHA-384, SHA-512 o SHA3-256, SHA3-384, SHA3-512)`,
    );
  }
  const strength = keyStrength(key);
  if (!strength.ok) {
    return fail(
      `The signer's key (${strength.label}) is too weak (ETSI TS 119 312: RSA at least 2048 bits, EC at least 256 bits)`,
      `La chiave del firmatario (${strength.label}) è troppo debole (ETSI TS 119 312: RSA almeno 2048 bit, EC almeno 256 bit)`,
    );
  }
  const what = type === 'PAdES' ? bi('the signed byte ranges of the PDF', 'degli intervalli firmati del PDF') : type === 'timestamp' ? bi('the timestamp token', 'del token di marca temporale') : bi('the enclosed document', 'del documento racchiuso');
  const contentDigest = createHash(digestName).update(content).digest();
  let signedBytes: Uint8Array;
  let note: string | undefined;
  if (signerInfo.signedAttrs) {
    const digestAttr = attributeValues(signerInfo, OID.messageDigest)?.[0];
    if (!(digestAttr instanceof asn1js.OctetString)) {
      return fail('The signed attributes carry no messageDigest: the signature is not bound to the content', "Gli attributi firmati non contengono messageDigest: la firma non è legata al contenuto");
    }
    if (!Buffer.from(digestAttr.valueBlock.valueHexView).equals(contentDigest)) {
      return fail(
        `The document was altered after signing: the ${digestLabel(digestName)} digest of ${what.en.replace(/^of /, '')} differs from the messageDigest the signer signed`,
        `Il documento è stato alterato dopo la firma: l'impronta ${digestLabel(digestName)} ${what.it} differisce dal messageDigest firmato dal firmatario`,
      );
    }
    const ctAttr = attributeValues(signerInfo, OID.contentType)?.[0];
    if (ctAttr instanceof asn1js.ObjectIdentifier && ctAttr.valueBlock.toString() !== eContentType) {
      return fail(
        `The signed contentType attribute (${ctAttr.valueBlock.toString()}) does not match the content type (${eContentType})`,
        `L'attributo firmato contentType (${ctAttr.valueBlock.toString()}) non corrisponde al tipo di contenuto (${eContentType})`,
      );
    }
    signedBytes = new Uint8Array(signerInfo.signedAttrs.encodedValue);
  } else {
    note = 'The signature has no signed attributes (plain PKCS#7): it signs the content directly, without signing time or certificate binding.';
    signedBytes = content;
  }

  let verified: { outcome: boolean; schemeName: string };
  try {
    verified = verifyValue(signerInfo, signedBytes, digestName, key);
  } catch (error) {
    const reason = (error as Error).message;
    return fail(`The signature value could not be checked: ${reason}`, `Non è stato possibile verificare il valore della firma: ${italianValueReason(reason)}`);
  }
  if (!verified.outcome) {
    return fail(
      `The signature value does not verify with the signer's public key (${verified.schemeName}): the signature or its signed attributes were altered, or it was made with another key`,
      `Il valore della firma non è verificabile con la chiave pubblica del firmatario (${verified.schemeName}): la firma o i suoi attributi firmati sono stati alterati, oppure è stata fatta con un'altra chiave`,
    );
  }
  const target = type === 'PAdES' ? bi('signed byte ranges', 'intervalli firmati') : type === 'timestamp' ? bi('timestamp token', 'token di marca temporale') : bi('enclosed document', 'documento racchiuso');
  return {
    ok: true,
    text: bi(
      `The ${verified.schemeName} signature verifies with the signer's public key (${strength.label}) and the ${digestLabel(digestName)} digest matches the ${target.en}`,
      `La firma ${verified.schemeName} è verificata con la chiave pubblica del firmatario (${strength.label}) e l'impronta ${digestLabel(digestName)} corrisponde a ${target.it === 'intervalli firmati' ? 'gli intervalli firmati' : target.it === 'documento racchiuso' ? 'il documento racchiuso' : 'il token di marca temporale'}`,
    ),
    ...(note ? { note } : {}),
  };
}

function italianValueReason(reason: string): string {
  const m = /^the signature algorithm (\S+) is not supported$/.exec(reason);
  if (m) return `l'algoritmo di firma ${m[1]} non è supportato`;
  const h = /^the signature algorithm hashes with (\S+), which is not accepted$/.exec(reason);
  if (h) return `l'algoritmo di firma usa l'hash ${h[1]}, che non è ammesso`;
  const k = /^the signature algorithm is (\S+) but the key is (\S+)$/.exec(reason);
  if (k) return `l'algoritmo di firma è ${k[1]} ma la chiave è ${k[2]}`;
  return `errore di verifica (${reason})`;
}

function verifyValue(signerInfo: pkijs.SignerInfo, data: Uint8Array, digestName: DigestName, key: KeyObject): { outcome: boolean; schemeName: string } {
  const algId = signerInfo.signatureAlgorithm.algorithmId;
  const signature = Buffer.from(signerInfo.signature.valueBlock.valueHexView);
  const scheme = schemeOf(signerInfo.signatureAlgorithm);
  if (!scheme) throw new Error(`the signature algorithm ${algId} is not supported`);
  const hash = scheme.hash ?? digestName;
  if (!ACCEPTED_DIGESTS.has(hash)) throw new Error(`the signature algorithm hashes with ${digestLabel(hash)}, which is not accepted`);
  const keyType = key.asymmetricKeyType ?? 'unknown';
  const wantKey = scheme.kind === 'ecdsa' ? 'ec' : 'rsa';
  if (!(keyType === wantKey || (wantKey === 'rsa' && keyType === 'rsa-pss'))) {
    throw new Error(`the signature algorithm is ${scheme.kind.toUpperCase()} but the key is ${keyType.toUpperCase()}`);
  }
  switch (scheme.kind) {
    case 'rsa':
      return {
        outcome: cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature),
        schemeName: `RSA PKCS#1 v1.5 with ${digestLabel(hash)}`,
      };
    case 'rsa-pss':
      return {
        outcome: cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature),
        schemeName: `RSA-PSS with ${digestLabel(hash)}`,
      };
    case 'ecdsa':
      return {
        outcome: cryptoVerify(hash, data, { key, dsaEncoding: scheme.plain ? 'ieee-p1363' : 'der' }, signature),
        schemeName: `${scheme.plain ? 'plain ECDSA' : 'ECDSA'} with ${digestLabel(hash)}`,
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

function checkSigningCertificate(builder: SignatureBuilder, signerInfo: pkijs.SignerInfo, signerCert: pkijs.Certificate, signerDer: Uint8Array): void {
  const v2 = attributeValues(signerInfo, OID.signingCertificateV2)?.[0];
  const v1 = v2 ? undefined : attributeValues(signerInfo, OID.signingCertificate)?.[0];
  const attr = v2 ?? v1;
  const label = v2 ? 'ESS signing-certificate-v2' : 'ESS signing-certificate';
  if (!attr) {
    builder.check('signing_certificate', 'absent', bi(
      'The signature carries no ESS signing-certificate attribute (optional for plain CMS, required by CAdES/PAdES baseline profiles)',
      "La firma non contiene l'attributo ESS signing-certificate (facoltativo per un CMS semplice, richiesto dai profili base CAdES/PAdES)",
    ));
    return;
  }
  try {
    const certs = (attr as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence | undefined;
    if (!first) throw new Error('it lists no certificate');
    const parts = first.valueBlock.value;
    let index = 0;
    let hashName: DigestName = v2 ? 'sha256' : 'sha1';
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
      builder.check('signing_certificate', 'fail', bi(
        `The ${label} attribute names a different certificate than the one that signed: the ${digestLabel(hashName)} hash does not match`,
        `L'attributo ${label} indica un certificato diverso da quello che ha firmato: l'impronta ${digestLabel(hashName)} non corrisponde`,
      ));
      return;
    }
    const issuerSerial = parts[index + 1];
    if (issuerSerial instanceof asn1js.Sequence) {
      const serial = issuerSerial.valueBlock.value[1];
      if (serial instanceof asn1js.Integer && !serial.isEqual(signerCert.serialNumber)) {
        builder.check('signing_certificate', 'fail', bi(
          `The ${label} attribute names a certificate with another serial number than the signer's`,
          `L'attributo ${label} indica un certificato con un numero di serie diverso da quello del firmatario`,
        ));
        return;
      }
    }
    builder.check('signing_certificate', 'pass', bi(
      `The ${label} attribute matches the signer's certificate (${digestLabel(hashName)} hash)`,
      `L'attributo ${label} corrisponde al certificato del firmatario (impronta ${digestLabel(hashName)})`,
    ));
  } catch (error) {
    const reason = (error as Error).message;
    builder.check('signing_certificate', 'fail', bi(`The ${label} attribute is malformed: ${reason}`, `L'attributo ${label} non è ben formato (${reason})`));
  }
}

function checkQualified(builder: SignatureBuilder, context: Context, cert: Cert, path: Cert[], at: Date): void {
  const statements = qcStatements(cert.pk) ?? [];
  const listed = path.find((c) => context.isQualifiedAnchor(c, at));
  const service = listed ? context.listedService(listed, at) : undefined;
  builder.qualified = {
    qualified: statements.includes(QC.compliance) && statements.includes(QC.sscd) && listed !== undefined,
    qcCompliance: statements.includes(QC.compliance),
    qcSSCD: statements.includes(QC.sscd),
    ...(service ?? {}),
  };
  const missing: Bilingual[] = [];
  if (!statements.includes(QC.compliance)) missing.push(bi('the certificate does not declare itself qualified (no QcCompliance statement)', 'il certificato non si dichiara qualificato (manca la dichiarazione QcCompliance)'));
  if (!statements.includes(QC.sscd)) missing.push(bi('the key is not declared to be on a qualified signature creation device (no QcSSCD statement)', 'la chiave non è dichiarata su un dispositivo qualificato per la creazione di firme (manca la dichiarazione QcSSCD)'));
  if (!listed) {
    missing.push(bi(
      `no CA/QC service of a trusted list granted at ${instant(at)} is on the certificate's path`,
      `nessun servizio CA/QC di un elenco di fiducia attivo il ${instant(at)} è nel percorso del certificato`,
    ));
  }
  if (missing.length === 0) {
    builder.check('qualified', 'pass', bi(
      `A qualified electronic signature: qualified certificate (QcCompliance) on a qualified signature creation device (QcSSCD), issued under the trusted list's CA/QC service "${cnOf(listed!)}"`,
      `Firma elettronica qualificata: certificato qualificato (QcCompliance) su dispositivo qualificato (QcSSCD), emesso sotto il servizio CA/QC "${cnOf(listed!)}" dell'elenco di fiducia`,
    ));
  } else {
    builder.check('qualified', 'absent', bi(
      `Not a qualified electronic signature: ${missing.map((m) => m.en).join('; ')}`,
      `Non è una firma elettronica qualificata: ${missing.map((m) => m.it).join('; ')}`,
    ));
  }
}

function checkIdentity(builder: SignatureBuilder, signer: SignerIdentity | undefined, expectations: SignatureExpectations): void {
  if (!signer) return;
  const tenantVat = expectations.tenantVat.replace(/\s+/g, '').toUpperCase().replace(/^IT/, '');
  const orgId = signer.organizationIdentifier?.trim().toUpperCase();
  const serial = signer.serialNumber?.trim().toUpperCase();
  if (orgId && orgId === `VATIT-${tenantVat}`) {
    builder.identifiesTenant = true;
    builder.check('identity', 'pass', bi(
      `The certificate names the tenant: organizationIdentifier ${signer.organizationIdentifier} is the tenant's Partita IVA`,
      `Il certificato indica il committente: l'organizationIdentifier ${signer.organizationIdentifier} è la Partita IVA del committente`,
    ));
    return;
  }
  const signatory = expectations.signatories.find((cf) => serial === `TINIT-${cf.trim().toUpperCase()}`);
  if (signatory) {
    builder.identifiesTenant = true;
    builder.check('identity', 'pass', bi(
      `The certificate names a registered signatory of the tenant: serialNumber ${signer.serialNumber}`,
      `Il certificato indica un firmatario registrato del committente: serialNumber ${signer.serialNumber}`,
    ));
    return;
  }
  const seen = [
    orgId ? `organizationIdentifier ${signer.organizationIdentifier}` : 'no organizationIdentifier',
    serial ? `serialNumber ${signer.serialNumber}` : 'no serialNumber',
  ].join(' and ');
  const seenIt = [
    orgId ? `organizationIdentifier ${signer.organizationIdentifier}` : 'nessun organizationIdentifier',
    serial ? `serialNumber ${signer.serialNumber}` : 'nessun serialNumber',
  ].join(' e ');
  // Not a failure of this signature: a countersigner need not be the tenant; the file needs one signer who is.
  builder.check('identity', 'absent', bi(
    `The signer does not identify the tenant: the certificate carries ${seen}, expected organizationIdentifier VATIT-${tenantVat} or serialNumber TINIT- followed by a registered signatory's codice fiscale`,
    `Il firmatario non identifica il committente: il certificato riporta ${seenIt}, atteso organizationIdentifier VATIT-${tenantVat} o serialNumber TINIT- seguito dal codice fiscale di un firmatario registrato`,
  ));
}

type SignatureStamp = { state: 'none' } | { state: 'used'; time: Date; text: Bilingual; facts?: TimestampFacts } | { state: 'unused'; text: Bilingual; facts?: TimestampFacts };

/**
 * The signature timestamp (RFC 3161 token in the signatureTimeStampToken unsigned attribute, over the signature
 * value): used as the signing time when it verifies and its authority is trusted (docs/verdict-rules.md), so that a key that
 * expired or was compromised later cannot back-date a signature, and cannot be back-dated either.
 */
function signatureTimestamp(context: Context, signerInfo: pkijs.SignerInfo, carried: CertPool): SignatureStamp {
  const attr = signerInfo.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken);
  const token = attr?.values[0] as asn1js.BaseBlock | undefined;
  if (!token) return { state: 'none' };
  let cms: ParsedCms;
  try {
    cms = parseSignedData(new Uint8Array(token.valueBeforeDecodeView), context.limits);
  } catch (error) {
    const text = malformed(error);
    return {
      state: 'unused',
      text: bi(`The signature timestamp is malformed and not used: ${text.en.replace(/^The signature is malformed: /, '')}`, `La marca temporale della firma non è ben formata e non viene usata: ${text.it.replace(/^La firma non è ben formata: /, '')}`),
    };
  }
  const outcome = verifyTimeStampToken(context, cms, new Uint8Array(signerInfo.signature.valueBlock.valueHexView), carried);
  const facts: TimestampFacts | undefined =
    outcome.time && outcome.authority ? { time: outcome.time.toISOString(), authority: outcome.authority, trusted: outcome.trusted, verified: outcome.valid } : undefined;
  if (outcome.valid && outcome.trusted && outcome.time) return { state: 'used', time: outcome.time, text: outcome.text, ...(facts ? { facts } : {}) };
  return {
    state: 'unused',
    ...(facts ? { facts } : {}),
    text: outcome.valid
      ? outcome.text
      : bi(`The signature timestamp does not verify and is not used: ${outcome.text.en}`, `La marca temporale della firma non è valida e non viene usata: ${outcome.text.it}`),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Document timestamps (PAdES): verified as timestamps, not as signatures

function verifyDocumentTimestamp(context: Context, evidence: PadesEvidence, field: PadesSignatureField, index: number, carried: CertPool): DocumentTimestampReport {
  const report = (valid: boolean, trusted: boolean, text: Bilingual, extra: Partial<DocumentTimestampReport> = {}): DocumentTimestampReport => ({
    index,
    valid,
    trusted,
    detail: text.en,
    detailIt: text.it,
    ...extra,
  });
  if (field.problem) return report(false, false, bi(field.problem, field.problemIt ?? field.problem));
  const covered = rangesContent(evidence.file, field.byteRange);
  if (!covered) return report(false, false, bi('The document timestamp’s /ByteRange points outside the file', 'Il /ByteRange della marca temporale del documento punta fuori dal file'));
  let cms: ParsedCms;
  try {
    cms = parseSignedData(field.cms, context.limits);
  } catch (error) {
    const text = malformed(error);
    return report(false, false, bi(`The document timestamp is malformed: ${text.en.replace(/^The signature is malformed: /, '')}`, `La marca temporale del documento non è ben formata: ${text.it.replace(/^La firma non è ben formata: /, '')}`));
  }
  const verified = verifyTimeStampToken(context, cms, covered, carried);
  return report(verified.valid, verified.trusted, verified.text, {
    ...(verified.time ? { time: verified.time.toISOString() } : {}),
    ...(verified.authority ? { authority: verified.authority } : {}),
  });
}

interface TokenOutcome {
  valid: boolean;
  trusted: boolean;
  text: Bilingual;
  time?: Date;
  authority?: string;
}

/** An RFC 3161 TimeStampToken over `imprinted`: messageImprint, the authority's signature, its chain. */
/** `carried`: the certificates the file carries besides the token's (the signature's, the PDF's /DSS). */
function verifyTimeStampToken(context: Context, cms: ParsedCms, imprinted: Uint8Array, carried?: CertPool): TokenOutcome {
  const bad = (en: string, it: string): TokenOutcome => ({ valid: false, trusted: false, text: bi(en, it) });
  if (cms.eContentType !== TST_INFO || !cms.content) return bad('The timestamp token carries no TSTInfo', 'Il token di marca temporale non contiene TSTInfo');
  let info: pkijs.TSTInfo;
  try {
    info = new pkijs.TSTInfo({ schema: asn1js.fromBER(cms.content).result });
  } catch {
    return bad('The timestamp token’s TSTInfo is unreadable', 'Il TSTInfo del token di marca temporale è illeggibile');
  }
  const hashName = DIGESTS[info.messageImprint.hashAlgorithm.algorithmId];
  if (!hashName || !ACCEPTED_DIGESTS.has(hashName)) {
    return bad(`The timestamp imprints with ${hashName ?? info.messageImprint.hashAlgorithm.algorithmId}, which is not accepted`, `La marca temporale usa l'hash ${hashName ?? info.messageImprint.hashAlgorithm.algorithmId}, che non è ammesso`);
  }
  const digest = createHash(hashName).update(imprinted).digest();
  if (!Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView).equals(digest)) {
    return bad('The timestamp’s message imprint does not match the bytes it covers', "L'impronta della marca temporale non corrisponde ai byte che copre");
  }
  const signerInfo = cms.signedData.signerInfos[0];
  const pool = new CertPool(cms.certificateDers);
  const tsaCert = signerInfo ? pool.signerOf(signerInfo.sid) : undefined;
  const tsa = tsaCert ? certFromPkijs(tsaCert) : undefined;
  if (!signerInfo || !tsa) return bad('The timestamp token does not carry its authority’s certificate', "Il token di marca temporale non contiene il certificato dell'autorità");
  const outcome = verifySignerInfo(signerInfo, cms.content, cms.eContentType, tsa.x509.publicKey, 'timestamp');
  const time = info.genTime;
  const authority = cnOf(tsa);
  if (!outcome.ok) return { valid: false, trusted: false, text: outcome.text, time, authority };
  let path = buildPath(tsa, pool, context.anchorsAt(time, 'timestamp'), time);
  // The authority's CA certificates often travel in the signature or the PDF's /DSS rather than in the token.
  if (path.chain.outcome !== 'pass' && carried) path = buildPath(tsa, carried, context.anchorsAt(time, 'timestamp'), time);
  // A token that verifies, from an authority that cannot vouch for its time: the sentence says why.
  const untrusted = (why: Bilingual): TokenOutcome => ({
    valid: true,
    trusted: false,
    time,
    authority,
    text: bi(
      `The timestamp of ${instant(time)} by "${authority}" verifies, but ${why.en}: its time is not used`,
      `La marca temporale del ${instant(time)} di "${authority}" è integra, ma ${why.it}: la sua ora non viene usata`,
    ),
  });
  const ekus = extendedKeyUsage(tsa.pk);
  if (!ekus || !ekus.includes(TIME_STAMPING_EKU)) {
    return untrusted(bi(
      "that certificate is not a time-stamping authority's (no timeStamping extended key usage)",
      "quel certificato non è di un'autorità di marcatura temporale (manca l'utilizzo esteso timeStamping)",
    ));
  }
  if (path.chain.outcome !== 'pass') {
    return untrusted(bi(`its authority is not trusted (${path.chain.text.en})`, `la sua autorità non è fidata (${path.chain.text.it})`));
  }
  // The authority's own certificate, revoked before it stamped, vouches for no time (ETSI EN 319 102-1 5.4: a
  // timestamp is validated like a signature). What is at hand counts: configured CRLs and those the token carries.
  const values = revocationValues(signerInfo);
  const revocation = checkRevocation(path.path, true, [...context.crls, ...cms.crlDers, ...values.crls], time, false, values.ocsps);
  if (revocation.outcome === 'fail') {
    return untrusted(bi(`its authority's certificate was revoked (${revocation.text.en})`, `il certificato della sua autorità era revocato (${revocation.text.it})`));
  }
  return {
    valid: true,
    trusted: true,
    time,
    authority,
    text: bi(`The timestamp of ${instant(time)} by "${authority}" verifies and chains to a trust anchor`, `La marca temporale del ${instant(time)} di "${authority}" è integra e discende da un'ancora di fiducia`),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The file as a whole

function aggregate(type: 'CAdES' | 'PAdES', signatures: SignatureValidation[], timestamps: DocumentTimestampReport[], contextNotes: string[]): SignatureReport {
  if (signatures.length === 0) {
    return {
      present: false,
      type,
      valid: false,
      checks: [],
      signingTimeSource: 'none',
      notes: [...contextNotes, 'The PDF carries document timestamps only, no signature.'],
      documentTimestamps: timestamps,
    };
  }
  const many = signatures.length > 1;
  const lead = signatures.find((s) => s.identifiesTenant) ?? signatures[0]!;
  const checks: SignatureCheck[] = SIGNATURE_CHECK_ORDER.map((name) => {
    // docs/verdict-rules.md, requireQualified: the question is whether the tenant's signature is qualified.
    if (name === 'qualified') return { ...lead.checks.find((c) => c.name === name)! };
    const per = signatures.map((s) => ({ s, c: s.checks.find((c) => c.name === name)! }));
    const prefix = (s: SignatureValidation, c: SignatureCheck) =>
      many ? bi(`${s.label} (${s.signer?.commonName ?? s.signer?.subject ?? 'unknown signer'}): ${c.detail}`, `${s.labelIt} (${s.signer?.commonName ?? s.signer?.subject ?? 'firmatario sconosciuto'}): ${c.detailIt ?? c.detail}`) : bi(c.detail, c.detailIt ?? c.detail);
    if (name === 'identity') {
      const passing = per.find(({ c }) => c.outcome === 'pass');
      if (passing) return { name, outcome: 'pass', detail: prefix(passing.s, passing.c).en, detailIt: prefix(passing.s, passing.c).it };
      const readable = per.filter(({ s }) => s.signer);
      if (readable.length === 0) return { name, outcome: 'not_applicable', detail: per[0]!.c.detail, detailIt: per[0]!.c.detailIt ?? per[0]!.c.detail };
      const texts = readable.map(({ s, c }) => prefix(s, c));
      return {
        name,
        outcome: 'fail',
        detail: many ? `No signature identifies the tenant. ${texts.map((t) => t.en).join('; ')}` : texts[0]!.en,
        detailIt: many ? `Nessuna firma identifica il committente. ${texts.map((t) => t.it).join('; ')}` : texts[0]!.it,
      };
    }
    const failing = per.filter(({ c }) => c.outcome === 'fail');
    if (failing.length > 0) {
      const texts = failing.map(({ s, c }) => prefix(s, c));
      return { name, outcome: 'fail', detail: texts.map((t) => t.en).join('; '), detailIt: texts.map((t) => t.it).join('; ') };
    }
    if (!many) return { ...per[0]!.c };
    const outcomes = new Set(per.map(({ c }) => c.outcome));
    // An unknown revocation status of any signature is the file's status: one signer's CRL does not vouch for another.
    const outcome: CheckOutcome = name === 'revocation' && outcomes.has('absent') ? 'absent' : outcomes.has('pass') ? 'pass' : per[0]!.c.outcome;
    return {
      name,
      outcome,
      detail: per.map(({ s, c }) => prefix(s, c).en).join('; '),
      detailIt: per.map(({ s, c }) => prefix(s, c).it).join('; '),
    };
  });
  const failedTimestamps = timestamps.filter((t) => !t.valid);
  if (failedTimestamps.length > 0) {
    // A document timestamp is appended after signing: one that does not verify is bytes no one vouches for.
    const integrity = checks.find((c) => c.name === 'integrity')!;
    const en = failedTimestamps.map((t) => `document timestamp ${t.index}: ${t.detail}`).join('; ');
    const it = failedTimestamps.map((t) => `marca temporale del documento ${t.index}: ${t.detailIt}`).join('; ');
    if (integrity.outcome === 'fail') Object.assign(integrity, { detail: `${integrity.detail}; ${en}`, detailIt: `${integrity.detailIt}; ${it}` });
    else Object.assign(integrity, { outcome: 'fail', detail: `A document timestamp does not verify: ${en}`, detailIt: `Una marca temporale del documento non è valida: ${it}` });
  }
  const notes = [...contextNotes];
  for (const s of signatures) for (const note of s.notes) notes.push(many ? `${s.label}: ${note}` : note);
  for (const t of timestamps.filter((t) => t.valid)) notes.push(`Document timestamp ${t.index}: ${t.detail}.`);
  return {
    present: true,
    type,
    valid: checks.every((c) => c.name === 'timestamp' || c.name === 'qualified' || c.outcome !== 'fail') && checks.some((c) => c.name === 'integrity' && c.outcome === 'pass'),
    checks,
    ...(lead.signer ? { signer: lead.signer } : {}),
    ...(lead.signingTime ? { signingTime: lead.signingTime } : {}),
    signingTimeSource: lead.signingTimeSource,
    notes: [...new Set(notes)],
    signatures,
    // The file's status is its worst signature's, and a document timestamp that does not verify fails the file as
    // its integrity check says (the same sentence classified as a signature's would be).
    ...worstOf([
      ...signatures.map((s) => ({ indication: s.indication, ...(s.subIndication ? { subIndication: s.subIndication } : {}) })),
      ...failedTimestamps.map((t) => indicationOf([{ name: 'integrity', outcome: 'fail', detail: t.detail }])),
    ]),
    ...(timestamps.length ? { documentTimestamps: timestamps } : {}),
    ...(lead.chain ? { chain: lead.chain } : {}),
    ...(lead.revocation ? { revocation: lead.revocation } : {}),
    ...(lead.timestamp ? { timestamp: lead.timestamp } : {}),
    ...(lead.qualified ? { qualified: lead.qualified } : {}),
  };
}
