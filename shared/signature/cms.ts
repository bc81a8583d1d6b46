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

/**
 * Bounds on what one signature may make the parser build (docs/limits-and-retention.md). Long-term signatures embed
 * certificates, CRLs of thousands of entries and archive timestamps (hundreds of KB, tens of thousands of ASN.1
 * nodes), so asn1js's default of 10,000 nodes is too low for them; these bounds scale with what a real signature
 * carries while keeping a crafted file from making the parser build millions of objects. OCTET STRINGs are never
 * parsed as embedded ASN.1: the enclosed PDF is not re-read as a tree, and a nested envelope is parsed on its own,
 * within the same bounds.
 */
export interface CmsLimits {
  /** Bytes of one DER structure. */
  maxBytes: number;
  /** ASN.1 nodes asn1js may build for one structure. */
  maxNodes: number;
  /** Envelopes inside envelopes (.p7m in .p7m). */
  maxNesting: number;
  /** Certificates and CRLs one SignedData may embed. */
  maxEmbedded: number;
}

export const DEFAULT_CMS_LIMITS: CmsLimits = { maxBytes: 64 * 1024 * 1024, maxNodes: 400_000, maxNesting: 8, maxEmbedded: 20_000 };

export interface ParsedCms {
  signedData: pkijs.SignedData;
  /** The encapsulated content, or null when detached. */
  content: Uint8Array | null;
  eContentType: string;
  /**
   * DER of each certificate and CRL SignedData carries, as found: kept as bytes and read only when a path or a
   * revocation check needs them (a long-term signature carries hundreds; parsing every one into objects is what
   * made such signatures slow and over the node bound).
   */
  certificateDers: Uint8Array[];
  crlDers: Uint8Array[];
  /** The certificates as pkijs objects (parsed on first use). */
  readonly certificates: pkijs.Certificate[];
}

/** asn1js parse within the limits; a structure over them is a CmsError naming the bound. */
export function parseBer(der: Uint8Array, limits: CmsLimits = DEFAULT_CMS_LIMITS): asn1js.FromBerResult {
  if (der.length > limits.maxBytes) {
    throw new CmsError(`the signature is ${der.length} bytes, over the limit of ${limits.maxBytes}`, { cause: 'limit' });
  }
  const asn1 = asn1js.fromBER(der, {
    maxNodes: limits.maxNodes,
    maxContentLength: limits.maxBytes,
    maxDepth: 64,
    parseEmbedded: false,
  });
  if (asn1.offset === -1) {
    const error = asn1.result.error ?? 'unreadable';
    if (/Maximum ASN\.1/.test(error)) {
      throw new CmsError(`the signature has more ASN.1 elements than the limit of ${limits.maxNodes}`, { cause: 'limit' });
    }
    throw new CmsError(`the signature is not valid ASN.1 (${error})`);
  }
  return asn1;
}

/** A DER tag-length-value: where its value starts and where it ends. */
export interface Tlv {
  tag: number;
  start: number;
  valueStart: number;
  end: number;
}

/** The DER element at `at` (definite length only; null for indefinite-length BER or anything malformed). */
export function readTlv(bytes: Uint8Array, at: number, limit = bytes.length): Tlv | null {
  if (at + 2 > limit) return null;
  const tag = bytes[at]!;
  if ((tag & 0x1f) === 0x1f) return null;
  let offset = at + 1;
  const first = bytes[offset++]!;
  let length: number;
  if (first < 0x80) length = first;
  else {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || offset + count > limit) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset++]!;
  }
  if (offset + length > limit) return null;
  return { tag, start: at, valueStart: offset, end: offset + length };
}

/** The elements inside a constructed DER element. */
export function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  for (let at = parent.valueStart; at < parent.end; ) {
    const child = readTlv(bytes, at, parent.end);
    if (!child) return null;
    out.push(child);
    at = child.end;
  }
  return out;
}

/** A BER element: `contentEnd` is where its contents end (before the end-of-contents octets of an indefinite length). */
interface BerTlv extends Tlv {
  contentEnd: number;
}

/**
 * The BER element at `at`, definite or indefinite length (`openssl cms -stream`, and signing tools that stream, write
 * the latter); an indefinite one is measured by walking its children to the end-of-contents octets, `depth` deep at
 * most. Null when malformed.
 */
function readBerTlv(bytes: Uint8Array, at: number, limit: number, depth = 0): BerTlv | null {
  if (depth > 64 || at + 2 > limit) return null;
  const tag = bytes[at]!;
  if (tag === 0 || (tag & 0x1f) === 0x1f) return null;
  if (bytes[at + 1] !== 0x80) {
    const tlv = readTlv(bytes, at, limit);
    return tlv && { ...tlv, contentEnd: tlv.end };
  }
  if ((tag & 0x20) === 0) return null; // an indefinite length is for constructed elements only
  let cursor = at + 2;
  for (;;) {
    if (cursor + 2 > limit) return null;
    if (bytes[cursor] === 0 && bytes[cursor + 1] === 0) return { tag, start: at, valueStart: at + 2, contentEnd: cursor, end: cursor + 2 };
    const inner = readBerTlv(bytes, cursor, limit, depth + 1);
    if (!inner) return null;
    cursor = inner.end;
  }
}

function berChildrenOf(bytes: Uint8Array, parent: BerTlv): BerTlv[] | null {
  const out: BerTlv[] = [];
  for (let at = parent.valueStart; at < parent.contentEnd; ) {
    const child = readBerTlv(bytes, at, parent.contentEnd);
    if (!child) return null;
    out.push(child);
    at = child.end;
  }
  return out;
}

const SIGNED_DATA_OID_VALUE = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/**
 * Splits a ContentInfo/SignedData into the part to parse (version, digest algorithms, content, signers) and the
 * certificates and CRLs, kept as bytes, DER or BER alike (a CRL of thousands of entries costs asn1js seconds, and
 * some real ones pkijs cannot read at all). Null when the structure along that path is malformed: the caller then
 * parses the whole and reports what is wrong.
 */
function splitSignedData(der: Uint8Array, limits: CmsLimits): { reduced: Uint8Array; certificates: Uint8Array[]; crls: Uint8Array[] } | null {
  const info = readBerTlv(der, 0, der.length);
  if (!info || info.tag !== 0x30) return null;
  const parts = berChildrenOf(der, info);
  if (!parts || parts.length !== 2 || parts[0]!.tag !== 0x06 || parts[1]!.tag !== 0xa0) return null;
  const oid = der.subarray(parts[0]!.valueStart, parts[0]!.end);
  if (oid.length !== SIGNED_DATA_OID_VALUE.length || !SIGNED_DATA_OID_VALUE.every((b, i) => oid[i] === b)) return null;
  const sd = readBerTlv(der, parts[1]!.valueStart, parts[1]!.contentEnd);
  if (!sd || sd.tag !== 0x30) return null;
  const fields = berChildrenOf(der, sd);
  if (!fields) return null;
  const kept: Uint8Array[] = [];
  let certificates: Uint8Array[] = [];
  let crls: Uint8Array[] = [];
  for (const field of fields) {
    if (field.tag === 0xa0 || field.tag === 0xa1) {
      const items = berChildrenOf(der, field);
      if (!items) return null;
      const slices = items.map((t) => der.subarray(t.start, t.end));
      if (field.tag === 0xa0) certificates = slices;
      else crls = slices;
    } else {
      kept.push(der.subarray(field.start, field.end));
    }
  }
  if (certificates.length + crls.length > limits.maxEmbedded) {
    throw new CmsError(`the signature embeds ${certificates.length + crls.length} certificates and CRLs, over the limit of ${limits.maxEmbedded}`, { cause: 'limit' });
  }
  const body = Buffer.concat(kept);
  const inner = Buffer.concat([derHeader(0x30, body.length), body]);
  const reduced = Buffer.concat([
    derHeader(0x30, der.subarray(parts[0]!.start, parts[0]!.end).length + derHeader(0xa0, inner.length).length + inner.length),
    der.subarray(parts[0]!.start, parts[0]!.end),
    derHeader(0xa0, inner.length),
    inner,
  ]);
  return { reduced: new Uint8Array(reduced), certificates, crls };
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

export function parseSignedData(der: Uint8Array, limits: CmsLimits = DEFAULT_CMS_LIMITS): ParsedCms {
  if (der.length === 0) throw new CmsError('the signature is empty');
  if (der.length > limits.maxBytes) {
    throw new CmsError(`the signature is ${der.length} bytes, over the limit of ${limits.maxBytes}`, { cause: 'limit' });
  }
  const split = splitSignedData(der, limits);
  const asn1 = parseBer(split?.reduced ?? der, limits);
  // BER (indefinite lengths): the CRLs come out of the tree before pkijs reads it, as the split does for DER, so a CRL
  // pkijs cannot read (seen in real files) leaves the signature readable; the CRL then only fails to count.
  const berCrls = split ? null : detachCrls(asn1.result);
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
  const certificateDers =
    split?.certificates ??
    (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map(certificateDer);
  const crlDers = split?.crls ?? berCrls ?? [];
  if (!split && certificateDers.length + crlDers.length > limits.maxEmbedded) {
    throw new CmsError(`the signature embeds ${certificateDers.length + crlDers.length} certificates and CRLs, over the limit of ${limits.maxEmbedded}`, { cause: 'limit' });
  }
  let parsed: pkijs.Certificate[] | undefined;
  return {
    signedData,
    content: eContent ? octets(eContent) : null,
    eContentType: signedData.encapContentInfo.eContentType,
    certificateDers,
    crlDers,
    get certificates() {
      parsed ??= certificateDers.flatMap((d) => {
        try {
          return [pkijs.Certificate.fromBER(new Uint8Array(d))];
        } catch {
          return [];
        }
      });
      return parsed;
    },
  };
}

/**
 * Takes the `crls [1]` field out of a parsed ContentInfo/SignedData tree and returns its items' bytes (null when the
 * tree is not shaped so; pkijs then reports what is wrong).
 */
function detachCrls(info: asn1js.AsnType): Uint8Array[] | null {
  const explicit = (info as asn1js.Sequence).valueBlock?.value?.[1] as asn1js.Constructed | undefined;
  const signedData = explicit?.valueBlock?.value?.[0] as asn1js.Sequence | undefined;
  const fields = signedData?.valueBlock?.value;
  if (!Array.isArray(fields)) return null;
  const at = fields.findIndex((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 1);
  if (at < 0) return [];
  const crls = fields[at] as asn1js.Constructed;
  fields.splice(at, 1);
  return (crls.valueBlock?.value ?? []).map((item) => new Uint8Array(item.valueBeforeDecodeView));
}

/** One envelope of a CAdES file, outermost first, with its DER. */
export interface CadesLayer {
  der: Uint8Array;
  cms: ParsedCms;
}

export interface UnwrappedCades {
  layers: CadesLayer[];
  /** The innermost content: the document. */
  content: Uint8Array | null;
}

/**
 * Opens nested envelopes (docs/attestation-format.md): Italian countersigning tools envelope the whole .p7m in a new one,
 * as content of type data or signedData. The innermost content is the document; every envelope is returned so that
 * each is verified.
 */
export function unwrapCades(der: Uint8Array, limits: CmsLimits = DEFAULT_CMS_LIMITS): UnwrappedCades {
  const layers: CadesLayer[] = [];
  let current = der;
  for (;;) {
    const cms = parseSignedData(current, limits);
    layers.push({ der: current, cms });
    const inner = cms.content ? innerEnvelope(cms.content) : null;
    if (!inner) return { layers, content: cms.content };
    if (layers.length >= limits.maxNesting) {
      throw new CmsError(`the envelopes are nested more than ${limits.maxNesting} deep`, { cause: 'limit' });
    }
    current = inner;
  }
}

/** DER ContentInfo/SignedData header, or the same as base64 or PEM text: a further envelope. */
function innerEnvelope(content: Uint8Array): Uint8Array | null {
  if (looksLikeSignedData(content)) return content;
  if (content.length > 16 && content[0] !== 0x25 /* %PDF */) {
    const text = Buffer.from(content.subarray(0, 64)).toString('latin1');
    if (/^(\uFEFF|\u00ef\u00bb\u00bf)?(-----BEGIN|[A-Za-z0-9+/]{16})/.test(text)) {
      const body = Buffer.from(content).toString('latin1').replace(/-----(BEGIN|END)[^-]*-----/g, '');
      if (/^[A-Za-z0-9+/=\s]+$/.test(body)) {
        const decoded = new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
        if (looksLikeSignedData(decoded)) return decoded;
      }
    }
  }
  return null;
}

const SIGNED_DATA_OID_DER = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/** SEQUENCE whose first element is id-signedData: only the header is looked at. */
export function looksLikeSignedData(bytes: Uint8Array): boolean {
  if (bytes.length < 13 || bytes[0] !== 0x30) return false;
  const first = bytes[1]!;
  const offset = first <= 0x80 ? 2 : 2 + (first & 0x7f);
  if ((first & 0x7f) > 4 && first > 0x80) return false;
  return SIGNED_DATA_OID_DER.every((b, i) => bytes[offset + i] === b);
}

/**
 * Length of the first DER element of `bytes` (tag, length and value), or -1: finds the end of a CMS followed by zero
 * padding without parsing it (a PAdES /Contents placeholder).
 */
export function derElementLength(bytes: Uint8Array): number {
  if (bytes.length < 2) return -1;
  let offset = 1;
  if ((bytes[0]! & 0x1f) === 0x1f) {
    while (offset < bytes.length && bytes[offset]! & 0x80) offset++;
    offset++;
  }
  if (offset >= bytes.length) return -1;
  const first = bytes[offset++]!;
  if (first < 0x80) return offset + first <= bytes.length ? offset + first : -1;
  const count = first & 0x7f;
  if (count === 0) {
    // Indefinite length (BER): parse to find the end-of-contents.
    const asn1 = asn1js.fromBER(bytes, { parseEmbedded: false, maxNodes: DEFAULT_CMS_LIMITS.maxNodes, maxContentLength: bytes.length });
    return asn1.offset;
  }
  if (count > 4 || offset + count > bytes.length) return -1;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[offset++]!;
  return offset + length <= bytes.length ? offset + length : -1;
}

/** The CmsError sentences of cms.ts in Italian (their variable parts kept). */
export function italianCmsReason(reason: string): string {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^the signature is empty$/, () => 'la firma è vuota'],
    [/^the signature is (\d+) bytes, over the limit of (\d+)$/, (m) => `la firma è di ${m[1]} byte, oltre il limite di ${m[2]}`],
    [/^the signature has more ASN\.1 elements than the limit of (\d+)$/, (m) => `la firma ha più elementi ASN.1 del limite di ${m[1]}`],
    [/^the signature is not valid ASN\.1 \((.*)\)$/, () => 'la firma non è una struttura ASN.1 valida'],
    [/^the CMS holds (.*), not SignedData$/, (m) => `il CMS contiene ${m[1]}, non SignedData`],
    [/^the signature is not a valid CMS SignedData \((.*)\)$/, () => 'la firma non è un CMS SignedData valido'],
    [/^the envelopes are nested more than (\d+) deep$/, (m) => `le buste sono annidate oltre ${m[1]} livelli`],
    [/^the signature embeds (\d+) certificates and CRLs, over the limit of (\d+)$/, (m) => `la firma contiene ${m[1]} certificati e CRL, oltre il limite di ${m[2]}`],
  ];
  for (const [re, say] of rules) {
    const m = re.exec(reason);
    if (m) return say(m);
  }
  return 'la struttura della firma non è leggibile';
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
