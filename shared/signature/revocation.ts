/**
 * Revocation from CRLs (docs/verdict-rules.md, docs/configuration.md): the configured CRL files and the revocation data the signature
 * carries (SignedData.crls, the CAdES revocation-values attribute, a PAdES /DSS). A CRL counts for a certificate when
 * its issuer's key signed it. Revoked at signing time rejects; so does a revocation for keyCompromise, cACompromise or
 * no stated reason, whatever the claimed signing time (only a trusted timestamp before it could show the signature
 * came first). Without a CRL that covers the signing time the status is unknown.
 *
 * CRLs of long-term signatures list tens of thousands of serials: the DER is walked to the one entry asked for,
 * never parsed into objects whole.
 */
import { createHash, verify as cryptoVerify, constants } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ACCEPTED_DIGESTS, schemeOf } from './algorithms.js';
import { cnOf, tbsFields, type Cert } from './certificates.js';
import { childrenOf, readTlv, type Tlv } from './cms.js';
import type { FetchedRevocation } from '../ports/revocation-fetcher.js';
import { ocspAnswers, parseOcsp } from './ocsp.js';
import { bi, instant, type Bilingual } from './text.js';

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];
/** docs/verdict-rules.md: these revocations count whatever the claimed signing time. */
const COMPROMISE = new Set([undefined, 0, 1, 2, 10]);
const REVOCATION_VALUES = '1.2.840.113549.1.9.16.2.24';

export interface CrlView {
  der: Uint8Array;
  issuer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  tbs: Uint8Array;
  algorithm: pkijs.AlgorithmIdentifier;
  signature: Uint8Array;
  revoked: Tlv | null;
}

function time(bytes: Uint8Array, tlv: Tlv): Date | undefined {
  const parsed = asn1js.fromBER(bytes.slice(tlv.start, tlv.end)).result;
  return parsed instanceof asn1js.UTCTime || parsed instanceof asn1js.GeneralizedTime ? parsed.toDate() : undefined;
}

/** The parts of a CRL's DER this check needs; null when it is not a CRL. */
export function viewCrl(der: Uint8Array): CrlView | null {
  const list = readTlv(der, 0);
  const parts = list && childrenOf(der, list);
  if (!parts || parts.length !== 3 || parts[2]!.tag !== 0x03) return null;
  const tbsTlv = parts[0]!;
  const fields = childrenOf(der, tbsTlv);
  if (!fields) return null;
  let i = fields[0]?.tag === 0x02 ? 1 : 0;
  i += 1; // signature AlgorithmIdentifier
  const issuer = fields[i++];
  const thisUpdateTlv = fields[i++];
  if (!issuer || !thisUpdateTlv) return null;
  const thisUpdate = time(der, thisUpdateTlv);
  if (!thisUpdate) return null;
  let nextUpdate: Date | undefined;
  if (fields[i] && (fields[i]!.tag === 0x17 || fields[i]!.tag === 0x18)) nextUpdate = time(der, fields[i++]!);
  const revoked = fields[i]?.tag === 0x30 ? fields[i]! : null;
  try {
    const algorithm = new pkijs.AlgorithmIdentifier({ schema: asn1js.fromBER(der.slice(parts[1]!.start, parts[1]!.end)).result });
    return {
      der,
      issuer: Buffer.from(der.subarray(issuer.start, issuer.end)),
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      tbs: der.subarray(tbsTlv.start, tbsTlv.end),
      algorithm,
      signature: der.subarray(parts[2]!.valueStart + 1, parts[2]!.end),
      revoked,
    };
  } catch {
    return null;
  }
}

function signedBy(crl: CrlView, issuer: Cert): boolean {
  try {
    const scheme = schemeOf(crl.algorithm);
    if (!scheme?.hash || !ACCEPTED_DIGESTS.has(scheme.hash)) return false;
    const key = issuer.x509.publicKey;
    const options =
      scheme.kind === 'ecdsa'
        ? { key, dsaEncoding: 'der' as const }
        : scheme.kind === 'rsa-pss'
          ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }
          : { key, padding: constants.RSA_PKCS1_PADDING };
    return cryptoVerify(scheme.hash, crl.tbs, options, crl.signature);
  } catch {
    return false;
  }
}

interface Entry {
  date: Date;
  reason?: number;
}

/** The CRL's entry for `serial` (the INTEGER's content bytes), walking the list without building it. */
function entryFor(crl: CrlView, serial: Uint8Array): Entry | null {
  if (!crl.revoked) return null;
  const want = Buffer.from(serial);
  for (let at = crl.revoked.valueStart; at < crl.revoked.end; ) {
    const entry = readTlv(crl.der, at, crl.revoked.end);
    if (!entry) return null;
    at = entry.end;
    const serialTlv = readTlv(crl.der, entry.valueStart, entry.end);
    if (!serialTlv || !want.equals(Buffer.from(crl.der.subarray(serialTlv.valueStart, serialTlv.end)))) continue;
    const dateTlv = readTlv(crl.der, serialTlv.end, entry.end);
    const date = dateTlv && time(crl.der, dateTlv);
    if (!date) return null;
    let reason: number | undefined;
    if (dateTlv.end < entry.end) {
      try {
        const extensions = asn1js.fromBER(crl.der.slice(dateTlv.end, entry.end)).result as asn1js.Sequence;
        for (const ext of extensions.valueBlock.value as asn1js.Sequence[]) {
          const [oid, ...rest] = ext.valueBlock.value;
          if ((oid as asn1js.ObjectIdentifier).valueBlock.toString() !== '2.5.29.21') continue;
          const value = rest.at(-1) as asn1js.OctetString;
          const enumerated = asn1js.fromBER(value.valueBlock.valueHexView).result as asn1js.Enumerated;
          reason = enumerated.valueBlock.valueDec;
        }
      } catch {
        reason = undefined;
      }
    }
    return { date, ...(reason !== undefined ? { reason } : {}) };
  }
  return null;
}

/**
 * Adobe's revocation archive (adbe-revocationInfoArchival, a signed attribute): Acrobat, and the Italian tools built
 * on its format, put the CRLs and OCSP responses of the chain there at signing time instead of in a /DSS.
 * RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL, ocsp [1] EXPLICIT SEQUENCE OF
 * OCSPResponse, otherRevInfo [2] ... }.
 */
const ADOBE_REVOCATION_ARCHIVAL = '1.2.840.113583.1.1.8';

/** A CertificateList or a BasicOCSPResponse: SEQUENCE { tbs, algorithm, BIT STRING signature, ... }. */
const isSignedItem = (b: asn1js.BaseBlock) => b instanceof asn1js.Sequence && b.valueBlock.value.length >= 3 && b.valueBlock.value[2] instanceof asn1js.BitString;
/** An OCSPResponse: SEQUENCE { ENUMERATED responseStatus, [0] responseBytes }. */
const isOcspResponse = (b: asn1js.BaseBlock) => b instanceof asn1js.Sequence && b.valueBlock.value[0] instanceof asn1js.Enumerated;

/**
 * CRLs and OCSP responses the signer carries: the CAdES revocation-values unsigned attribute (ETSI EN 319 122-1:
 * crlVals [0], ocspVals [1]) and Adobe's revocation archive signed attribute (crl [0], ocsp [1]).
 */
export function revocationValues(signerInfo: pkijs.SignerInfo): { crls: Uint8Array[]; ocsps: Uint8Array[] } {
  const out = { crls: [] as Uint8Array[], ocsps: [] as Uint8Array[] };
  const carriers = [
    ...(signerInfo.unsignedAttrs?.attributes ?? []).filter((a) => a.type === REVOCATION_VALUES),
    ...(signerInfo.signedAttrs?.attributes ?? []).filter((a) => a.type === ADOBE_REVOCATION_ARCHIVAL),
  ];
  for (const attr of carriers) {
    for (const value of attr.values as asn1js.Sequence[]) {
      for (const choice of value.valueBlock?.value ?? []) {
        if (choice.idBlock.tagClass !== 3 || choice.idBlock.tagNumber > 1) continue;
        const inner = (choice.valueBlock as unknown as { value: asn1js.BaseBlock[] }).value ?? [];
        const isItem = (b: asn1js.BaseBlock) => isSignedItem(b) || (choice.idBlock.tagNumber === 1 && isOcspResponse(b));
        // [n] EXPLICIT SEQUENCE OF ... (RFC 5126's explicit module); tolerate the implicit form too.
        const wrapped = inner.length === 1 && inner[0] instanceof asn1js.Sequence && !isItem(inner[0]) && inner[0].valueBlock.value.every(isItem);
        const items = wrapped ? (inner[0] as asn1js.Sequence).valueBlock.value : inner.filter(isItem);
        const target = choice.idBlock.tagNumber === 0 ? out.crls : out.ocsps;
        for (const item of items) target.push(new Uint8Array(item.valueBeforeDecodeView));
      }
    }
  }
  return out;
}

/** CRLs inside the CAdES revocation-values unsigned attribute. */
export function revocationValuesCrls(signerInfo: pkijs.SignerInfo): Uint8Array[] {
  return revocationValues(signerInfo).crls;
}

export interface RevocationOutcome {
  outcome: 'pass' | 'fail' | 'absent';
  text: Bilingual;
  /** What decided the outcome, as facts (shared/signature/model.ts RevocationFacts; the verifier names the data's origin). */
  decided: RevocationDecision;
}

/**
 * The certificate whose status decided the outcome (revoked, or unknown), else the signer's, and the revocation data
 * that gave it: `der` is that CRL or OCSP response as it was handed in (the same object), so the caller can tell
 * where it came from.
 */
export interface RevocationDecision {
  status: 'good' | 'revoked' | 'unknown';
  certificate?: string;
  issuer?: string;
  source?: 'crl' | 'ocsp';
  der?: Uint8Array;
  issuedAt?: Date;
  revokedAt?: Date;
  reason?: string;
}

/** A CRL's DER read and checked against the issuer's key; null when it is no CRL of that issuer. */
export function crlOfIssuer(der: Uint8Array, issuer: Cert): CrlView | null {
  const crl = viewCrl(der);
  if (!crl) return null;
  const subject = tbsFields(new Uint8Array(issuer.x509.raw))?.subject;
  return subject && crl.issuer.equals(subject) && signedBy(crl, issuer) ? crl : null;
}

/** The key of a certificate and its issuer in FetchedRevocation.problems. */
export function revocationSubjectKey(certificate: Uint8Array, issuer: Uint8Array): string {
  return createHash('sha256').update(certificate).update(issuer).digest('hex');
}

function fetchedFrom(online: FetchedRevocation | undefined, der: Uint8Array): Bilingual | undefined {
  const origin = online?.origins.get(der);
  if (!origin) return undefined;
  return origin.cached
    ? bi(`fetched from ${origin.url}, cached`, `scaricata da ${origin.url}, in cache`)
    : bi(`fetched from ${origin.url}`, `scaricata da ${origin.url}`);
}

/**
 * The revocation status at `at` of every certificate of `path` below its anchor (path: signer first, anchor last).
 * `timestamped`: `at` comes from a trusted timestamp, so a later compromise does not reach back before it.
 * `online`: what was fetched from the certificates' distribution points and responders (docs/configuration.md,
 * revocation.fetch), to name where an answer came from and, without one, what could not be reached.
 */
export function checkRevocation(
  path: Cert[],
  anchored: boolean,
  crlDers: Uint8Array[],
  at: Date,
  timestamped: boolean,
  ocspDers: Uint8Array[] = [],
  online?: FetchedRevocation,
): RevocationOutcome {
  if (!anchored || path.length < 2) {
    return {
      outcome: 'absent',
      text: bi('Not evaluated: the certificate path does not reach a trust anchor', 'Non valutato: il percorso di certificazione non raggiunge un\'ancora di fiducia'),
      decided: { status: 'unknown', ...(path[0] ? { certificate: cnOf(path[0]) } : {}) },
    };
  }
  const crls = crlDers.map(viewCrl).filter((c): c is CrlView => c !== null);
  const parsed = ocspDers.map((der) => ({ der, response: parseOcsp(der) })).filter((o): o is { der: Uint8Array; response: pkijs.BasicOCSPResponse } => o.response !== null);
  const ocsps = parsed.map((o) => o.response);
  const good: Bilingual[] = [];
  const unknown: Bilingual[] = [];
  let signerFacts: RevocationDecision = { status: 'good', certificate: cnOf(path[0]!) };
  let firstUnknown: RevocationDecision | undefined;
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const fields = tbsFields(new Uint8Array(cert.x509.raw));
    if (!fields) continue;
    const covering = crls.filter((crl) => crl.issuer.equals(fields.issuer) && signedBy(crl, issuer));
    const answers = ocsps.length ? ocspAnswers(cert, issuer, ocsps) : [];
    const unreachable = online?.problems.get(revocationSubjectKey(new Uint8Array(cert.x509.raw), new Uint8Array(issuer.x509.raw))) ?? [];
    const said = unreachable.map((p) => (p.url ? `${p.url}: ${p.cause}` : p.cause)).join('; ');
    const fetching = unreachable.length ? bi(` (fetching: ${said})`, ` (scaricamento: ${said})`) : bi('', '');
    if (covering.length === 0 && answers.length === 0) {
      firstUnknown ??= { status: 'unknown', certificate: cnOf(cert), issuer: cnOf(issuer) };
      unknown.push(bi(
        `no CRL or OCSP response of "${cnOf(issuer)}" is available for "${cnOf(cert)}"${fetching.en}`,
        `nessuna CRL o risposta OCSP di "${cnOf(issuer)}" è disponibile per "${cnOf(cert)}"${fetching.it}`,
      ));
      continue;
    }
    const fromCrl = covering.map((crl) => ({ crl, entry: entryFor(crl, fields.serial) })).find((r) => r.entry);
    const fromOcsp = answers.find((a) => a.status === 'revoked' && a.revocationTime);
    const where = (der: Uint8Array | undefined) => {
      const from = der ? fetchedFrom(online, der) : undefined;
      return from ? bi(`, ${from.en}`, `, ${from.it}`) : bi('', '');
    };
    const revoked = fromCrl?.entry
      ? {
          ...fromCrl.entry,
          facts: { source: 'crl', der: fromCrl.crl.der, issuedAt: fromCrl.crl.thisUpdate } as const,
          source: bi(
            `CRL of "${cnOf(issuer)}" issued ${instant(fromCrl.crl.thisUpdate)}${where(fromCrl.crl.der).en}`,
            `CRL di "${cnOf(issuer)}" emessa il ${instant(fromCrl.crl.thisUpdate)}${where(fromCrl.crl.der).it}`,
          ),
        }
      : fromOcsp
        ? {
            date: fromOcsp.revocationTime!,
            ...(fromOcsp.reason !== undefined ? { reason: fromOcsp.reason } : {}),
            facts: { source: 'ocsp', der: parsed[fromOcsp.response]?.der, issuedAt: fromOcsp.thisUpdate } as const,
            source: bi(
              `OCSP response of ${instant(fromOcsp.thisUpdate)}${where(parsed[fromOcsp.response]?.der).en}`,
              `risposta OCSP del ${instant(fromOcsp.thisUpdate)}${where(parsed[fromOcsp.response]?.der).it}`,
            ),
          }
        : undefined;
    if (revoked) {
      const { date, reason } = revoked;
      const reasonName = reason !== undefined ? (REASONS[reason] ?? String(reason)) : 'no stated reason';
      const reasonIt = reason !== undefined ? (REASONS[reason] ?? String(reason)) : 'senza motivo dichiarato';
      const facts: RevocationDecision = {
        status: 'revoked',
        certificate: cnOf(cert),
        issuer: cnOf(issuer),
        source: revoked.facts.source,
        ...(revoked.facts.der ? { der: revoked.facts.der } : {}),
        issuedAt: revoked.facts.issuedAt,
        revokedAt: date,
        ...(reason !== undefined ? { reason: REASONS[reason] || String(reason) } : {}),
      };
      if (date <= at) {
        return {
          outcome: 'fail',
          decided: facts,
          text: bi(
            `The certificate "${cnOf(cert)}" was revoked on ${instant(date)} (${reasonName}), before the signing time ${instant(at)} (${revoked.source.en})`,
            `Il certificato "${cnOf(cert)}" è stato revocato il ${instant(date)} (${reasonIt}), prima dell'ora di firma ${instant(at)} (${revoked.source.it})`,
          ),
        };
      }
      if (COMPROMISE.has(reason) && !timestamped) {
        return {
          outcome: 'fail',
          decided: facts,
          text: bi(
            `The certificate "${cnOf(cert)}" was revoked on ${instant(date)} (${reasonName}): without a trusted timestamp before that date, the claimed signing time ${instant(at)} cannot show the signature came first (${revoked.source.en})`,
            `Il certificato "${cnOf(cert)}" è stato revocato il ${instant(date)} (${reasonIt}): senza una marca temporale fidata anteriore, l'ora di firma dichiarata ${instant(at)} non dimostra che la firma sia precedente (${revoked.source.it})`,
          ),
        };
      }
      // Good at the signing time: the later revocation stays in the facts, as in the sentence.
      if (i === 0) signerFacts = { ...facts, status: 'good' };
      good.push(bi(`${cnOf(cert)} (revoked later, ${reasonName})`, `${cnOf(cert)} (revocato dopo, ${reasonIt})`));
      continue;
    }
    const freshCrl = covering.find((crl) => crl.thisUpdate >= at);
    const freshOcsp = answers.find((a) => a.status === 'good' && a.thisUpdate >= at);
    if (!freshCrl && !freshOcsp) {
      firstUnknown ??= { status: 'unknown', certificate: cnOf(cert), issuer: cnOf(issuer) };
      unknown.push(bi(
        `the revocation data of "${cnOf(issuer)}" for "${cnOf(cert)}" predates the signing time or does not know the certificate${fetching.en}`,
        `i dati di revoca di "${cnOf(issuer)}" per "${cnOf(cert)}" sono anteriori all'ora di firma o non conoscono il certificato${fetching.it}`,
      ));
      continue;
    }
    if (i === 0) {
      signerFacts = freshOcsp && !freshCrl
        ? { status: 'good', certificate: cnOf(cert), issuer: cnOf(issuer), source: 'ocsp', der: parsed[freshOcsp.response]!.der, issuedAt: freshOcsp.thisUpdate }
        : { status: 'good', certificate: cnOf(cert), issuer: cnOf(issuer), source: 'crl', der: freshCrl!.der, issuedAt: freshCrl!.thisUpdate };
    }
    if (freshOcsp && !freshCrl) {
      const from = fetchedFrom(online, parsed[freshOcsp.response]!.der);
      good.push(from ? bi(`${cnOf(cert)} (OCSP response of ${instant(freshOcsp.thisUpdate)}, ${from.en})`, `${cnOf(cert)} (risposta OCSP del ${instant(freshOcsp.thisUpdate)}, ${from.it})`) : bi(`${cnOf(cert)} (OCSP)`, `${cnOf(cert)} (OCSP)`));
    } else {
      const from = fetchedFrom(online, freshCrl!.der);
      good.push(from ? bi(`${cnOf(cert)} (CRL of ${instant(freshCrl!.thisUpdate)}, ${from.en})`, `${cnOf(cert)} (CRL del ${instant(freshCrl!.thisUpdate)}, ${from.it})`) : bi(cnOf(cert), cnOf(cert)));
    }
  }
  if (unknown.length > 0) {
    return {
      outcome: 'absent',
      decided: firstUnknown!,
      text: bi(
        `The revocation status cannot be established: ${unknown.map((u) => u.en).join('; ')}`,
        `Lo stato di revoca non può essere accertato: ${unknown.map((u) => u.it).join('; ')}`,
      ),
    };
  }
  return {
    outcome: 'pass',
    decided: signerFacts,
    text: bi(
      `Not revoked at the signing time according to CRLs or OCSP responses the issuers signed: ${good.map((g) => g.en).join(', ')}`,
      `Non revocato all'ora di firma secondo le CRL o le risposte OCSP firmate dagli emittenti: ${good.map((g) => g.it).join(', ')}`,
    ),
  };
}
