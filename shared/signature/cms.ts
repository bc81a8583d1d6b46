/** Reading CMS SignedData (RFC 5652) with pkijs/asn1js: the parts the verifier and the attestation reader need. */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  subjectKeyIdentifier: '2.5.29.14',
  organizationIdentifier: '2.5.4.97',
  serialNumber: '2.5.4.5',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
} as const;

export class CmsError extends Error {}

export interface ParsedCms {
  signedData: pkijs.SignedData;
  /** The encapsulated content, or null when detached. */
  content: Uint8Array | null;
  eContentType: string;
  certificates: pkijs.Certificate[];
}

export function parseSignedData(der: Uint8Array): ParsedCms {
  if (der.length === 0) throw new CmsError('the signature is empty');
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) throw new CmsError(`the signature is not valid ASN.1 (${asn1.result.error})`);
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
    if (contentInfo.contentType !== OID.signedData) {
      throw new CmsError(`the CMS holds ${contentInfo.contentType}, not SignedData`);
    }
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (error) {
    if (error instanceof CmsError) throw error;
    throw new CmsError(`the signature is not a valid CMS SignedData (${(error as Error).message})`);
  }
  const eContent = signedData.encapContentInfo.eContent;
  return {
    signedData,
    content: eContent ? octets(eContent) : null,
    eContentType: signedData.encapContentInfo.eContentType,
    certificates: (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate),
  };
}

/** The bytes of an OCTET STRING, primitive or constructed (BER chunks, as `openssl cms -stream` writes). */
function octets(value: asn1js.BaseBlock): Uint8Array {
  if (value.idBlock.isConstructed) {
    const chunks = ((value.valueBlock as unknown as { value: asn1js.BaseBlock[] }).value ?? []).map(octets);
    return new Uint8Array(Buffer.concat(chunks));
  }
  return new Uint8Array((value.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
}

export function attributeValues(signerInfo: pkijs.SignerInfo, oid: string): unknown[] | undefined {
  return signerInfo.signedAttrs?.attributes.find((a) => a.type === oid)?.values;
}

export function certificateDer(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.toSchema().toBER(false));
}

const NAME_TYPES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  // Not in RFC 4514's short list: spelled out, because "SN" is surname in some tools and serialNumber in others.
  '2.5.4.4': 'surname',
  '2.5.4.42': 'givenName',
  '2.5.4.5': 'serialNumber',
  '2.5.4.12': 'title',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export function nameAttribute(name: pkijs.RelativeDistinguishedNames, oid: string): string | undefined {
  const found = name.typesAndValues.find((tv) => tv.type === oid);
  return found ? attributeText(found) : undefined;
}

function attributeText(tv: pkijs.AttributeTypeAndValue): string {
  const block = tv.value.valueBlock as unknown as { value?: unknown };
  return typeof block.value === 'string' ? block.value : Buffer.from(tv.value.valueBeforeDecodeView).toString('hex');
}

/** RFC 4514 order (most specific first); organizationIdentifier by OID as RFC 4514 asks for types without a short name. */
export function renderName(name: pkijs.RelativeDistinguishedNames): string {
  return [...name.typesAndValues]
    .reverse()
    .map((tv) => `${NAME_TYPES[tv.type] ?? tv.type}=${attributeText(tv).replace(/([,+"\\<>;])/g, '\\$1')}`)
    .join(', ');
}
