/**
 * OCSP responses carried by a signature (RFC 6960; PAdES /DSS /OCSPs, CAdES revocation values ocspVals): long-term
 * Italian PDFs usually embed these rather than CRLs. A response counts for a certificate when its CertID names the
 * certificate and its issuer, and the issuer signed it, directly or through a responder certificate the issuer
 * issued for OCSP signing (id-kp-OCSPSigning).
 */
import { createHash, verify as cryptoVerify, constants } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ACCEPTED_DIGESTS, DIGESTS, schemeOf } from './algorithms.js';
import { certFromDer, extendedKeyUsage, tbsFields, type Cert } from './certificates.js';
import { certificateDer } from './cms.js';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const BASIC = '1.3.6.1.5.5.7.48.1.1';

export interface OcspAnswer {
  status: 'good' | 'revoked' | 'unknown';
  thisUpdate: Date;
  /** RFC 6960 4.2.1: absent means newer information is always available. */
  nextUpdate?: Date;
  revocationTime?: Date;
  reason?: number;
  /** Which of the responses given gave this answer (its index). */
  response: number;
}

/** A BasicOCSPResponse from its DER, or from an OCSPResponse wrapping it; null when neither. */
export function parseOcsp(der: Uint8Array): pkijs.BasicOCSPResponse | null {
  try {
    const asn1 = asn1js.fromBER(new Uint8Array(der), { parseEmbedded: false, maxNodes: 200_000 });
    if (asn1.offset === -1) return null;
    const seq = asn1.result as asn1js.Sequence;
    const first = seq.valueBlock?.value?.[0];
    if (first instanceof asn1js.Enumerated) {
      const outer = new pkijs.OCSPResponse({ schema: seq });
      if (!outer.responseBytes || outer.responseBytes.responseType !== BASIC) return null;
      return pkijs.BasicOCSPResponse.fromBER(new Uint8Array(outer.responseBytes.response.valueBlock.valueHexView));
    }
    return new pkijs.BasicOCSPResponse({ schema: seq });
  } catch {
    return null;
  }
}

function signedBy(response: pkijs.BasicOCSPResponse, key: Cert): boolean {
  try {
    const scheme = schemeOf(response.signatureAlgorithm);
    if (!scheme?.hash || !ACCEPTED_DIGESTS.has(scheme.hash)) return false;
    const publicKey = key.x509.publicKey;
    const options =
      scheme.kind === 'ecdsa'
        ? { key: publicKey, dsaEncoding: 'der' as const }
        : scheme.kind === 'rsa-pss'
          ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }
          : { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
    return cryptoVerify(scheme.hash, response.tbsResponseData.tbsView, options, Buffer.from(response.signature.valueBlock.valueHexView));
  } catch {
    return false;
  }
}

/** The issuer itself, or a responder certificate it issued for OCSP signing, signed the response. */
function trustedResponder(response: pkijs.BasicOCSPResponse, issuer: Cert): boolean {
  if (signedBy(response, issuer)) return true;
  for (const embedded of response.certs ?? []) {
    const responder = certFromDer(certificateDer(embedded));
    if (!responder) continue;
    let issued = false;
    try {
      issued = responder.x509.issuer === issuer.x509.subject && responder.x509.verify(issuer.x509.publicKey);
    } catch {
      issued = false;
    }
    // RFC 6960 4.2.2.2: a delegated responder is the issuer's, for OCSP signing, and was valid when it answered.
    const producedAt = response.tbsResponseData.producedAt;
    const valid = producedAt >= new Date(responder.x509.validFrom) && producedAt <= new Date(responder.x509.validTo);
    if (issued && valid && extendedKeyUsage(responder.pk)?.includes(OCSP_SIGNING) && signedBy(response, responder)) return true;
  }
  return false;
}

/** What the responses say about `cert` (issued by `issuer`): the answers of responses the issuer vouches for. */
export function ocspAnswers(cert: Cert, issuer: Cert, responses: pkijs.BasicOCSPResponse[]): OcspAnswer[] {
  const fields = tbsFields(new Uint8Array(cert.x509.raw));
  const issuerFields = tbsFields(new Uint8Array(issuer.x509.raw));
  if (!fields || !issuerFields) return [];
  const issuerKey = Buffer.from(issuer.pk.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  const answers: OcspAnswer[] = [];
  for (const [index, response] of responses.entries()) {
    const matching = response.tbsResponseData.responses.filter((single) => {
      const id = single.certID;
      const hash = DIGESTS[id.hashAlgorithm.algorithmId];
      if (!hash) return false;
      const digest = (bytes: Uint8Array) => createHash(hash).update(bytes).digest();
      return (
        Buffer.from(id.serialNumber.valueBlock.valueHexView).equals(Buffer.from(fields.serial)) &&
        Buffer.from(id.issuerNameHash.valueBlock.valueHexView).equals(digest(issuerFields.subject)) &&
        Buffer.from(id.issuerKeyHash.valueBlock.valueHexView).equals(digest(issuerKey))
      );
    });
    if (matching.length === 0 || !trustedResponder(response, issuer)) continue;
    for (const single of matching) {
      const status = single.certStatus as asn1js.BaseBlock;
      const tag = status.idBlock.tagNumber;
      // An answer valid until before it was issued is not an answer.
      if (single.nextUpdate && single.nextUpdate < single.thisUpdate) continue;
      const common = { thisUpdate: single.thisUpdate, ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}), response: index };
      if (tag === 0) answers.push({ status: 'good', ...common });
      else if (tag === 1) {
        const parts = ((status.valueBlock as unknown as { value?: asn1js.BaseBlock[] }).value ?? []) as asn1js.BaseBlock[];
        const time = parts[0] instanceof asn1js.GeneralizedTime ? parts[0].toDate() : undefined;
        const reasonBlock = parts[1] as asn1js.Constructed | undefined;
        const reasonValue = reasonBlock?.valueBlock?.value?.[0];
        const reason = reasonValue instanceof asn1js.Enumerated ? reasonValue.valueBlock.valueDec : undefined;
        answers.push({ status: 'revoked', ...common, ...(time ? { revocationTime: time } : {}), ...(reason !== undefined ? { reason } : {}) });
      } else answers.push({ status: 'unknown', ...common });
    }
  }
  return answers;
}

const SHA1 = '1.3.14.3.2.26';

/**
 * An OCSP request (RFC 6960 4.1) for `cert`, issued by `issuer`: one CertID, SHA-1 as RFC 5019 responders expect (it
 * only names the certificate; the answer's signature is what is trusted), no nonce, so that answers can be cached.
 */
export function ocspRequest(cert: Cert, issuer: Cert): Uint8Array {
  const issuerFields = tbsFields(new Uint8Array(issuer.x509.raw));
  if (!issuerFields) throw new Error('the issuer certificate is unreadable');
  const sha1 = (bytes: Uint8Array) => new Uint8Array(createHash('sha1').update(bytes).digest());
  const certID = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: sha1(issuerFields.subject) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: sha1(new Uint8Array(issuer.pk.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)) }),
    serialNumber: cert.pk.serialNumber,
  });
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [new pkijs.Request({ reqCert: certID })];
  return new Uint8Array(request.toSchema(true).toBER(false));
}

const STATUS_NAMES = ['successful', 'malformedRequest', 'internalError', 'tryLater', '', 'sigRequired', 'unauthorized'];

/** The responseStatus of an OCSPResponse (RFC 6960 4.2.1) by name; undefined when the bytes are not one. */
export function ocspResponseStatus(der: Uint8Array): string | undefined {
  try {
    const asn1 = asn1js.fromBER(new Uint8Array(der));
    if (asn1.offset === -1) return undefined;
    const first = (asn1.result as asn1js.Sequence).valueBlock?.value?.[0];
    if (!(first instanceof asn1js.Enumerated)) return undefined;
    return STATUS_NAMES[first.valueBlock.valueDec] || `status ${first.valueBlock.valueDec}`;
  } catch {
    return undefined;
  }
}
