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

export interface TrustedList {
  /** e.g. IT */
  territory: string;
  issued?: string;
  nextUpdate?: string;
  services: TrustedService[];
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
  for (const pem of signerPems) {
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
    const references = verifier.getSignedReferences();
    if (references.length !== 1) {
      failures.push(`it signs ${references.length} references, not the one whole list`);
      continue;
    }
    signedXml = references[0];
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
  };
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
