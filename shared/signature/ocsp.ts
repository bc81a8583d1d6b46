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
  revocationTime?: Date;
  reason?: number;
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
    if (issued && extendedKeyUsage(responder.pk)?.includes(OCSP_SIGNING) && signedBy(response, responder)) return true;
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
  for (const response of responses) {
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
      if (tag === 0) answers.push({ status: 'good', thisUpdate: single.thisUpdate });
      else if (tag === 1) {
        const parts = ((status.valueBlock as unknown as { value?: asn1js.BaseBlock[] }).value ?? []) as asn1js.BaseBlock[];
        const time = parts[0] instanceof asn1js.GeneralizedTime ? parts[0].toDate() : undefined;
        const reasonBlock = parts[1] as asn1js.Constructed | undefined;
        const reasonValue = reasonBlock?.valueBlock?.value?.[0];
        const reason = reasonValue instanceof asn1js.Enumerated ? reasonValue.valueBlock.valueDec : undefined;
        answers.push({ status: 'revoked', thisUpdate: single.thisUpdate, ...(time ? { revocationTime: time } : {}), ...(reason !== undefined ? { reason } : {}) });
      } else answers.push({ status: 'unknown', thisUpdate: single.thisUpdate });
    }
  }
  return answers;
}
