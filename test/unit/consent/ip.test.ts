import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { classifyIp, parseIp, type IpClass } from '../../../shared/consent/ip.js';

function classOf(text: string): IpClass {
  const ip = parseIp(text);
  if (ip === null) throw new Error(`not parsed: ${text}`);
  return classifyIp(ip);
}

describe('IP addresses of online consents (Filiera specification §10: a public address)', () => {
  it.each<[string, IpClass]>([
    ['8.8.8.8', 'public'],
    ['151.1.1.1', 'public'],
    ['93.184.216.34', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.10', 'private'],
    ['100.63.255.255', 'public'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['169.254.10.1', 'link_local'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.55', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['192.88.99.1', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.20.0.1', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ])('IPv4 %s is %s', (text, expected) => {
    expect(classOf(text)).toBe(expected);
  });

  it.each<[string, IpClass]>([
    ['2a00:1450:4002:402::200e', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['2001:200::1', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b:1::1', 'reserved'],
    ['2002:0808:0808::1', 'public'],
    ['2002:c0a8:0001::1', 'private'],
    ['100::1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['2001:1ff:ffff::1', 'reserved'],
    ['3fff:fff::1', 'documentation'],
    ['3fff:1000::1', 'public'],
    ['5f00::1', 'reserved'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['fe80::1', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['::8.8.8.8', 'reserved'],
    ['1::', 'reserved'],
    ['4000::1', 'reserved'],
  ])('IPv6 %s is %s', (text, expected) => {
    expect(classOf(text)).toBe(expected);
  });

  it.each([
    '',
    '8.8.8',
    '8.8.8.8.8',
    '256.1.1.1',
    '010.0.0.1',
    '1.2.3.-4',
    '1.2.3.4/24',
    ' 8.8 .8.8',
    '::1::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '12345::1',
    'fe80::1%eth0',
    '[::1]',
    'g::1',
    '::ffff:1.2.3',
    '1.2.3.4::',
    'localhost',
  ])('%j is not an IP address', (text) => {
    expect(parseIp(text)).toBeNull();
  });

  it('writes addresses canonically (RFC 5952) and ignores surrounding spaces', () => {
    expect(parseIp(' 2001:DB8:0:0:0:0:0:1 ')?.text).toBe('2001:db8::1');
    expect(parseIp('2001:db8:0:0:1:0:0:1')?.text).toBe('2001:db8::1:0:0:1');
    expect(parseIp('0:0:0:0:0:0:0:0')?.text).toBe('::');
    expect(parseIp('::ffff:1.2.3.4')?.text).toBe('::ffff:102:304');
    expect(parseIp('8.8.8.8')).toMatchObject({ version: 4, text: '8.8.8.8' });
  });

  it('reads every IPv4 and IPv6 address Node writes, to the same bytes', async () => {
    const { isIP } = await import('node:net');
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const parsed = parseIp(text);
        expect(parsed).not.toBeNull();
        expect(isIP(parsed!.text)).toBe(parsed!.version);
        expect(parseIp(parsed!.text)!.bytes).toEqual(parsed!.bytes);
      }),
      { numRuns: 500 },
    );
  });
});
