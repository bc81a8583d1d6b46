/**
 * docs/configuration.md: the EU list of lists (LOTL) and the national lists it points to. A national list configured
 * without its own signers is verified against the certificates the verified list of lists names for its territory,
 * as EU DSS follows the LOTL; a list the LOTL does not vouch for is refused, naming the file.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../shared/config.js';
import { examineAttestation } from '../../../shared/attestation/index.js';
import { TrustedListError, readTrustedLists, type TrustedListSource } from '../../../shared/signature/trusted-list.js';
import { makeAttestation } from '../../fixtures/attestations.js';
import { DEMO_SIGNATORY, DEMO_TENANT_VAT } from '../../fixtures/pki.js';
import { issue, makeTestPki, signCmsWith, signTrustedList, trustedListXml, type Issued, type TestPki } from '../../fixtures/signing.js';

const DAY = 86_400_000;
const LOTL_TYPE = 'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists';
let pki: TestPki;
let lotlSigner: Issued;
let italySigner: Issued;
let stranger: Issued;

beforeAll(async () => {
  pki = await makeTestPki(DEMO_TENANT_VAT, DEMO_SIGNATORY);
  lotlSigner = await issue({ subject: [['C', 'BE'], ['O', 'European Commission'], ['CN', 'Test LOTL Signer']], keyType: 'rsa', keyUsage: ['digitalSignature'] });
  italySigner = await issue({ subject: [['C', 'IT'], ['O', "Agenzia per l'Italia Digitale"], ['CN', 'Test TSL Signer']], keyType: 'rsa', keyUsage: ['digitalSignature'] });
  stranger = await issue({ subject: [['CN', 'Not named by the LOTL']], keyType: 'rsa', keyUsage: ['digitalSignature'] });
}, 60_000);

interface Pointer {
  territory: string;
  signer: Issued;
  mimeType?: string;
}

/** An EU list of lists in the shape the Commission publishes: pointers in SchemeInformation, no providers. */
function lotlXml(pointers: Pointer[]): string {
  const pointer = (p: Pointer) => `<tsl:OtherTSLPointer>
<tsl:ServiceDigitalIdentities><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>${Buffer.from(p.signer.der).toString('base64')}</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity></tsl:ServiceDigitalIdentities>
<tsl:TSLLocation>https://example.test/${p.territory}.xml</tsl:TSLLocation>
<tsl:AdditionalInformation>
<tsl:OtherInformation><tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</tsl:TSLType></tsl:OtherInformation>
<tsl:OtherInformation><tsl:SchemeTerritory>${p.territory}</tsl:SchemeTerritory></tsl:OtherInformation>
<tsl:OtherInformation><tslx:MimeType xmlns:tslx="http://uri.etsi.org/02231/v2/additionaltypes#">${p.mimeType ?? 'application/vnd.etsi.tsl+xml'}</tslx:MimeType></tsl:OtherInformation>
</tsl:AdditionalInformation></tsl:OtherTSLPointer>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" Id="TrustServiceStatusList" TSLTag="http://uri.etsi.org/19612/TSLTag">
<tsl:SchemeInformation><tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier><tsl:TSLSequenceNumber>1</tsl:TSLSequenceNumber>
<tsl:TSLType>${LOTL_TYPE}</tsl:TSLType>
<tsl:PointersToOtherTSL>${pointers.map(pointer).join('\n')}</tsl:PointersToOtherTSL>
<tsl:SchemeTerritory>EU</tsl:SchemeTerritory><tsl:ListIssueDateTime>2026-01-01T00:00:00Z</tsl:ListIssueDateTime>
<tsl:NextUpdate><tsl:dateTime>2027-01-01T00:00:00Z</tsl:dateTime></tsl:NextUpdate></tsl:SchemeInformation>
</tsl:TrustServiceStatusList>`;
}

const italianList = (signer: Issued) =>
  signTrustedList(trustedListXml([{ name: 'Test Qualified CA', type: 'CA/QC', status: 'granted', from: new Date(Date.now() - 1000 * DAY), certificates: [pki.intermediate] }]), signer);

async function sources(pointers: Pointer[], italy: Issued): Promise<TrustedListSource[]> {
  return [
    // National list first: the order of the configuration does not matter.
    { xml: await italianList(italy), signerPems: null, source: 'tsl/IT_TSL.xml' },
    { xml: await signTrustedList(lotlXml(pointers), lotlSigner), signerPems: [lotlSigner.certPem], source: 'tsl/eu-lotl.xml' },
  ];
}

describe('following the EU list of lists', () => {
  it('reads the pointers of a signed LOTL: territory, location, mime type and signer certificates', async () => {
    const [, lotl] = readTrustedLists(await sources([{ territory: 'IT', signer: italySigner }, { territory: 'IT', signer: stranger, mimeType: 'application/pdf' }], italySigner));
    expect(lotl!.type).toBe(LOTL_TYPE);
    expect(lotl!.territory).toBe('EU');
    expect(lotl!.services).toEqual([]);
    expect(lotl!.pointers).toEqual([
      { territory: 'IT', location: 'https://example.test/IT.xml', mimeType: 'application/vnd.etsi.tsl+xml', certificates: [italySigner.der] },
      { territory: 'IT', location: 'https://example.test/IT.xml', mimeType: 'application/pdf', certificates: [stranger.der] },
    ]);
  });

  it('a national list without signers is verified against the LOTL pointer for its territory, and its services anchor signatures', async () => {
    const [italy] = readTrustedLists(await sources([{ territory: 'IT', signer: italySigner }], italySigner));
    expect(italy!.territory).toBe('IT');
    const cms = signCmsWith({
      content: (await makeAttestation()).pdf,
      signers: [{ signer: pki.signer, chain: [pki.intermediate], signingTime: new Date(Date.now() - DAY) }],
    });
    const { signature } = await examineAttestation(cms, {
      trustAnchors: [],
      trustedLists: [italy!],
      tenantVat: DEMO_TENANT_VAT,
      signatories: [DEMO_SIGNATORY],
      now: new Date(),
    });
    expect(signature.checks.find((c) => c.name === 'chain')).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/trust anchor "Test Qualified CA"/) });
  });

  it('a national list signed by a key the LOTL does not name for it is refused, naming the file', async () => {
    const configured = await sources([{ territory: 'IT', signer: italySigner }], stranger);
    expect(() => readTrustedLists(configured)).toThrow(TrustedListError);
    expect(() => readTrustedLists(configured)).toThrow(/tsl\/IT_TSL.xml: the signature is not from a configured signer/);
  });

  it('a pointer of the human-readable (PDF) copy does not vouch for the XML list', async () => {
    const configured = await sources([{ territory: 'IT', signer: stranger }, { territory: 'IT', signer: italySigner, mimeType: 'application/pdf' }], italySigner);
    expect(() => readTrustedLists(configured)).toThrow(/tsl\/IT_TSL.xml: the signature is not from a configured signer/);
  });

  it('a national list whose territory no LOTL points to, and no signer configured, is refused', async () => {
    const configured = await sources([{ territory: 'FR', signer: italySigner }], italySigner);
    expect(() => readTrustedLists(configured)).toThrow(/tsl\/IT_TSL.xml: no signer configured, and no configured list of lists points to a trusted list for territory "IT"/);
  });

  it('an unverified LOTL vouches for nothing: its own signature is checked first', async () => {
    const [italy, lotl] = await sources([{ territory: 'IT', signer: italySigner }], italySigner);
    expect(() => readTrustedLists([italy!, { ...lotl!, signerPems: [stranger.certPem] }])).toThrow(/tsl\/eu-lotl.xml: the signature is not from a configured signer/);
  });
});

describe('a configuration following the LOTL', () => {
  async function configFolder(lists: { file: string; signers?: string[] }[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'filiera-lotl-'));
    await mkdir(join(dir, 'tsl'));
    const [italy, lotl] = await sources([{ territory: 'IT', signer: italySigner }], italySigner);
    await writeFile(join(dir, 'tsl/IT_TSL.xml'), italy!.xml);
    await writeFile(join(dir, 'tsl/eu-lotl.xml'), lotl!.xml);
    await writeFile(join(dir, 'tsl/lotl-signer.pem'), lotlSigner.certPem);
    const config = { tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: 'IT01234567897' }], trustedLists: lists };
    await writeFile(join(dir, 'filiera.json'), JSON.stringify(config));
    return join(dir, 'filiera.json');
  }

  it('loads the Italian list without signers through the configured LOTL', async () => {
    const file = await configFolder([{ file: 'tsl/IT_TSL.xml' }, { file: 'tsl/eu-lotl.xml', signers: ['tsl/lotl-signer.pem'] }]);
    const loaded = await loadConfig(file, { webhookSecrets: false });
    expect(loaded.trustedLists?.map((l) => l.territory)).toEqual(['IT', 'EU']);
    expect(loaded.trustedLists?.[0]?.services.map((s) => s.name)).toEqual(['Test Qualified CA']);
  });

  it('refuses a list without signers when no LOTL is configured, naming the configuration and the list', async () => {
    const file = await configFolder([{ file: 'tsl/IT_TSL.xml' }]);
    await expect(loadConfig(file, { webhookSecrets: false })).rejects.toThrow(ConfigError);
    await expect(loadConfig(file, { webhookSecrets: false })).rejects.toThrow(/filiera.json: tsl\/IT_TSL.xml: no signer configured/);
  });

  it('refuses an empty signers array: leave it out to follow the LOTL', async () => {
    const file = await configFolder([{ file: 'tsl/IT_TSL.xml', signers: [] }]);
    await expect(loadConfig(file, { webhookSecrets: false })).rejects.toThrow(/signers, when given, names at least one certificate/);
  });
});
