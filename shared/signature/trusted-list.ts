/**
 * ETSI TS 119 612 trusted lists (docs/configuration.md): the Italian list published by AgID, or any national list,
 * read from a file. The list's XMLDSig signature is verified with xml-crypto against the signer certificate the
 * configuration names before anything in it is used; only what that signature covers is read (a signed list
 * cannot be wrapped in unsigned content). Services of type CA/QC in status granted at a given time (the service's
 * history included) are trust anchors for signatures; TSA/QTST services are trusted time-stamping authorities.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

export class TrustedListError extends Error {}

const XMLDSIG = 'http://www.w3.org/2000/09/xmldsig#';
export const SERVICE_TYPE = {
  caQc: 'http://uri.etsi.org/TrstSvc/Svctype/CA/QC',
  tsaQtst: 'http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST',
  tsa: 'http://uri.etsi.org/TrstSvc/Svctype/TSA',
} as const;
/** Granted, and the statuses that meant the same before eIDAS (ETSI TS 119 612 v1, read by EU DSS likewise). */
const GRANTED = new Set([
  'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted',
  'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/recognisedatnationallevel',
  'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision',
  'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/supervisionincessation',
  'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/accredited',
]);

export interface ServicePeriod {
  type: string;
  granted: boolean;
  status: string;
  from: Date;
  /** Exclusive; absent for the current status. */
  to?: Date;
}

export interface TrustedService {
  name: string;
  provider: string;
  /** DER of the service's digital identity certificates. */
  certificates: Uint8Array[];
  /** The service's statuses over time, newest first. */
  periods: ServicePeriod[];
}

/**
 * A pointer of a list of lists (the EU LOTL) to another trusted list: where it is published, the territory it covers
 * and the certificates its signature must verify with (ETSI TS 119 612 5.3.13, PointersToOtherTSL).
 */
export interface TrustedListPointer {
  territory: string;
  location: string;
  /** application/vnd.etsi.tsl+xml for the machine-readable list, application/pdf for its human-readable copy. */
  mimeType?: string;
  /** DER of the certificates the pointed list's signature must verify with. */
  certificates: Uint8Array[];
}

export interface TrustedList {
  /** e.g. IT */
  territory: string;
  /** TSLType, e.g. http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists for the EU list of lists. */
  type?: string;
  issued?: string;
  nextUpdate?: string;
  services: TrustedService[];
  /** The lists this one points to (a list of lists); empty for a national list without pointers. */
  pointers: TrustedListPointer[];
}

const children = (node: Element, name: string): Element[] =>
  Array.from(node.childNodes as unknown as ArrayLike<Node>).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name);
const child = (node: Element | undefined, ...path: string[]): Element | undefined => {
  let current = node;
  for (const name of path) current = current ? children(current, name)[0] : undefined;
  return current;
};
const text = (node: Element | undefined): string => (node?.textContent ?? '').trim();

/**
 * Verifies the list's signature against one of `signerPems` and reads its services. Throws TrustedListError with a
 * sentence when the list is not signed by a configured signer, or its signature does not cover the whole list.
 */
export function readTrustedList(xml: string, signerPems: string[], source = 'trusted list'): TrustedList {
  const errors: string[] = [];
  const onError = (level: string, message: unknown) => {
    if (level !== 'warning') errors.push(String(message));
  };
  const doc = new DOMParser({ onError } as never).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (!root || errors.length > 0 || root.localName !== 'TrustServiceStatusList') {
    throw new TrustedListError(`${source} is not an ETSI TS 119 612 trusted list (TrustServiceStatusList)`);
  }
  const signatures = Array.from(root.childNodes as unknown as ArrayLike<Node>).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).localName === 'Signature' && (n as Element).namespaceURI === XMLDSIG,
  );
  if (signatures.length !== 1) throw new TrustedListError(`${source} carries ${signatures.length} XML signatures, one is expected`);
  let signedXml: string | undefined;
  const failures: string[] = [];
  // Checking the signature of a national list costs seconds (canonicalising megabytes): the configured signer that
  // the signature's own KeyInfo names is tried first, the others after it. KeyInfo decides the order, never the trust.
  const named = new Set(
    Array.from(signatures[0]!.getElementsByTagNameNS(XMLDSIG, 'X509Certificate') as unknown as ArrayLike<Element>).map((e) => text(e).replace(/\s+/g, '')),
  );
  const derOf = (pem: string) => pem.replace(/-----[^-]+-----|\s+/g, '');
  const ordered = [...signerPems].sort((a, b) => Number(named.has(derOf(b))) - Number(named.has(derOf(a))));
  for (const pem of ordered) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      failures.push('a configured signer is not a PEM certificate');
      continue;
    }
    const verifier = new SignedXml({ publicCert: createPublicKey(cert.publicKey.export({ format: 'pem', type: 'spki' })), getCertFromKeyInfo: () => null });
    try {
      verifier.loadSignature(signatures[0]!);
      if (!verifier.checkSignature(xml)) {
        failures.push(`it does not verify with ${cert.subject.replace(/\n/g, ', ')}`);
        continue;
      }
    } catch (error) {
      failures.push(`it does not verify with ${cert.subject.replace(/\n/g, ', ')} (${(error as Error).message})`);
      continue;
    }
    // Published lists are XAdES-signed: beside the whole list (URI ""), the signature signs its own
    // SignedProperties (signing time, signing certificate digest). Those are allowed; anything else is not read.
    const references = verifier.getReferences();
    const whole = references.filter((r) => r.uri === '');
    const others = references.filter((r) => r.uri !== '');
    const notProperties = others.filter((r) => !isSignedProperties(r.signedReference, r.uri));
    if (whole.length !== 1 || notProperties.length > 0 || whole[0]!.signedReference === undefined) {
      failures.push(`it signs ${whole.length} whole-list references and ${notProperties.length} other references, not the one whole list (with its XAdES signed properties)`);
      continue;
    }
    signedXml = whole[0]!.signedReference;
    break;
  }
  if (signedXml === undefined) {
    throw new TrustedListError(`${source}: the signature is not from a configured signer: ${failures.join('; ') || 'no signer configured'}`);
  }
  // What the signature covers, parsed again: only that is read.
  const signed = new DOMParser().parseFromString(signedXml, 'text/xml').documentElement;
  if (!signed || signed.localName !== 'TrustServiceStatusList') {
    throw new TrustedListError(`${source}: the signature does not cover the whole list`);
  }
  const scheme = child(signed, 'SchemeInformation');
  const list: TrustedList = {
    territory: text(child(scheme, 'SchemeTerritory')),
    services: [],
    pointers: pointersOf(child(scheme, 'PointersToOtherTSL')),
  };
  const type = text(child(scheme, 'TSLType'));
  if (type) list.type = type;
  const issued = text(child(scheme, 'ListIssueDateTime'));
  const next = text(child(scheme, 'NextUpdate', 'dateTime'));
  if (issued) list.issued = issued;
  if (next) list.nextUpdate = next;
  for (const provider of children(child(signed, 'TrustServiceProviderList') ?? signed, 'TrustServiceProvider')) {
    const providerName = text(child(provider, 'TSPInformation', 'TSPName', 'Name'));
    for (const service of children(child(provider, 'TSPServices') ?? provider, 'TSPService')) {
      const info = child(service, 'ServiceInformation');
      if (!info) continue;
      const certificates = certificatesOf(child(info, 'ServiceDigitalIdentity'));
      const periods: ServicePeriod[] = [period(info)].filter((p): p is ServicePeriod => p !== null);
      const history = children(child(service, 'ServiceHistory') ?? service, 'ServiceHistoryInstance')
        .map(period)
        .filter((p): p is ServicePeriod => p !== null)
        .sort((a, b) => b.from.getTime() - a.from.getTime());
      for (const past of history) {
        past.to = periods.at(-1)?.from;
        periods.push(past);
      }
      list.services.push({ name: text(child(info, 'ServiceName', 'Name')), provider: providerName, certificates, periods });
    }
  }
  return list;
}

const XADES_NAMESPACE = /^http:\/\/uri\.etsi\.org\/01903\/v1\.[34]\.\d#$/;

/** A reference to the signature's own XAdES SignedProperties (`#id`, that element's Id). */
function isSignedProperties(signed: string | undefined, uri: string): boolean {
  if (signed === undefined || !uri.startsWith('#')) return false;
  const element = new DOMParser({ onError: () => undefined } as never).parseFromString(signed, 'text/xml').documentElement;
  return (
    element !== null &&
    element.localName === 'SignedProperties' &&
    XADES_NAMESPACE.test(element.namespaceURI ?? '') &&
    element.getAttribute('Id') === uri.slice(1)
  );
}

function pointersOf(node: Element | undefined): TrustedListPointer[] {
  if (!node) return [];
  return children(node, 'OtherTSLPointer').map((pointer) => {
    const info = new Map<string, string>();
    for (const other of children(child(pointer, 'AdditionalInformation') ?? pointer, 'OtherInformation')) {
      for (const field of Array.from(other.childNodes as unknown as ArrayLike<Node>)) {
        if (field.nodeType === 1) info.set((field as Element).localName ?? '', text(field as Element));
      }
    }
    const certificates = children(child(pointer, 'ServiceDigitalIdentities') ?? pointer, 'ServiceDigitalIdentity').flatMap(certificatesOf);
    const out: TrustedListPointer = { territory: info.get('SchemeTerritory') ?? '', location: text(child(pointer, 'TSLLocation')), certificates };
    const mimeType = info.get('MimeType');
    if (mimeType) out.mimeType = mimeType;
    return out;
  });
}

const PDF_MIME = 'application/pdf';

/**
 * The signer certificates (PEM) that lists of lists name for `territory`'s machine-readable trusted list: how a
 * national list configured without its own signers is verified (docs/configuration.md, following the EU list of lists
 * as EU DSS does). Only the pointers of lists already verified count, since only verified lists are passed here.
 */
export function pointedSigners(lotls: readonly TrustedList[], territory: string): string[] {
  const pems: string[] = [];
  for (const lotl of lotls) {
    for (const pointer of lotl.pointers) {
      if (pointer.territory !== territory || pointer.mimeType === PDF_MIME) continue;
      for (const der of pointer.certificates) {
        try {
          pems.push(new X509Certificate(der).toString());
        } catch {
          // Not a certificate: it cannot verify anything, and the lists it would verify are refused below.
        }
      }
    }
  }
  return pems;
}

/** A configured trusted list file: with its signers, or (signerPems null) to be verified through a list of lists. */
export interface TrustedListSource {
  xml: string;
  signerPems: string[] | null;
  source: string;
}

/**
 * Reads configured lists in the order they can be verified: those with their own signers first (the EU list of
 * lists among them), then each list without signers against the certificates a verified list of lists names for its
 * territory (lists of lists pointing to further lists are followed the same way). Throws TrustedListError naming the
 * file when a list cannot be verified either way.
 */
export function readTrustedLists(sources: readonly TrustedListSource[]): TrustedList[] {
  const read = new Map<number, TrustedList>();
  sources.forEach((entry, i) => {
    if (entry.signerPems !== null) read.set(i, readTrustedList(entry.xml, entry.signerPems, entry.source));
  });
  for (let progress = true; progress; ) {
    progress = false;
    sources.forEach((entry, i) => {
      if (read.has(i)) return;
      const territory = claimedTerritory(entry.xml);
      const signers = pointedSigners([...read.values()], territory);
      if (signers.length === 0) return;
      const list = readTrustedList(entry.xml, signers, entry.source);
      if (list.territory !== territory) {
        throw new TrustedListError(`${entry.source}: the signed list is for territory "${list.territory}", not "${territory}"`);
      }
      read.set(i, list);
      progress = true;
    });
  }
  sources.forEach((entry, i) => {
    if (read.has(i)) return;
    const territory = claimedTerritory(entry.xml);
    throw new TrustedListError(
      `${entry.source}: no signer configured, and no configured list of lists points to a trusted list for territory "${territory || '(none)'}"`,
    );
  });
  return sources.map((_, i) => read.get(i)!);
}

/**
 * The territory a list claims before its signature is checked, read from its SchemeInformation without parsing the
 * whole document (a national list runs to megabytes): only to pick the pointer whose signers to try. What is used is
 * the verified list's own SchemeTerritory, compared with this claim afterwards.
 */
export function claimedTerritory(xml: string): string {
  const scheme = /<(?:[\w.-]+:)?SchemeInformation[\s>][\s\S]*?<\/(?:[\w.-]+:)?SchemeInformation>/.exec(xml.slice(0, 1024 * 1024))?.[0] ?? '';
  // SchemeTerritory inside a pointer's AdditionalInformation names another list; the list's own comes outside them.
  const own = scheme.replace(/<(?:[\w.-]+:)?PointersToOtherTSL[\s>][\s\S]*?<\/(?:[\w.-]+:)?PointersToOtherTSL>/g, '');
  return /<(?:[\w.-]+:)?SchemeTerritory>\s*([^<]*?)\s*<\//.exec(own)?.[1] ?? '';
}

function period(node: Element): ServicePeriod | null {
  const from = new Date(text(child(node, 'StatusStartingTime')));
  if (Number.isNaN(from.getTime())) return null;
  const status = text(child(node, 'ServiceStatus'));
  return { type: text(child(node, 'ServiceTypeIdentifier')), status, granted: GRANTED.has(status), from };
}

function certificatesOf(identity: Element | undefined): Uint8Array[] {
  if (!identity) return [];
  return children(identity, 'DigitalId')
    .map((id) => text(child(id, 'X509Certificate')))
    .filter(Boolean)
    .map((b64) => new Uint8Array(Buffer.from(b64.replace(/\s+/g, ''), 'base64')));
}

/** The status of a service at `at`: the period that contains it. */
export function statusAt(service: TrustedService, at: Date): ServicePeriod | undefined {
  return service.periods.find((p) => p.from <= at && (!p.to || at < p.to));
}

/** DER of the certificates of services of `types` granted at `at`, across lists. */
export function grantedCertificates(lists: TrustedList[], types: string[], at: Date): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const list of lists) {
    for (const service of list.services) {
      const status = statusAt(service, at);
      if (status?.granted && types.includes(status.type)) out.push(...service.certificates);
    }
  }
  return out;
}

/** A verified list as JSON (certificates in base64, times in ISO 8601): written once it verified, read back as it was. */
export interface TrustedListJson {
  territory: string;
  type?: string;
  issued?: string;
  nextUpdate?: string;
  services: { name: string; provider: string; certificates: string[]; periods: { type: string; granted: boolean; status: string; from: string; to?: string }[] }[];
  pointers: { territory: string; location: string; mimeType?: string; certificates: string[] }[];
}

const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');
const der = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function trustedListToJson(list: TrustedList): TrustedListJson {
  return {
    territory: list.territory,
    ...(list.type !== undefined ? { type: list.type } : {}),
    ...(list.issued !== undefined ? { issued: list.issued } : {}),
    ...(list.nextUpdate !== undefined ? { nextUpdate: list.nextUpdate } : {}),
    services: list.services.map((s) => ({
      name: s.name,
      provider: s.provider,
      certificates: s.certificates.map(b64),
      periods: s.periods.map((p) => ({ type: p.type, granted: p.granted, status: p.status, from: p.from.toISOString(), ...(p.to ? { to: p.to.toISOString() } : {}) })),
    })),
    pointers: list.pointers.map((p) => ({ territory: p.territory, location: p.location, ...(p.mimeType ? { mimeType: p.mimeType } : {}), certificates: p.certificates.map(b64) })),
  };
}

export function trustedListFromJson(json: TrustedListJson): TrustedList {
  return {
    territory: json.territory,
    ...(json.type !== undefined ? { type: json.type } : {}),
    ...(json.issued !== undefined ? { issued: json.issued } : {}),
    ...(json.nextUpdate !== undefined ? { nextUpdate: json.nextUpdate } : {}),
    services: json.services.map((s) => ({
      name: s.name,
      provider: s.provider,
      certificates: s.certificates.map(der),
      periods: s.periods.map((p) => ({ type: p.type, granted: p.granted, status: p.status, from: new Date(p.from), ...(p.to ? { to: new Date(p.to) } : {}) })),
    })),
    pointers: json.pointers.map((p) => ({ territory: p.territory, location: p.location, ...(p.mimeType ? { mimeType: p.mimeType } : {}), certificates: p.certificates.map(der) })),
  };
}
