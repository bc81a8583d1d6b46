/**
 * IP addresses in consent evidence (docs/consent-sampling.md): an online consent is documented by the public address it
 * came from (Codice di condotta telemarketing 2024 art. 6.1.a: "indirizzo IP e marca temporale"). An address no
 * user on the Internet can have (private, loopback, link-local, shared CGNAT, documentation, multicast, reserved)
 * documents nothing: it was typed, defaulted or logged behind a proxy.
 *
 * Ranges from the IANA IPv4 and IPv6 Special-Purpose Address Registries. IPv6 is public only inside global unicast
 * 2000::/3 and outside the special blocks there; addresses that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address.
 */

export type IpClass =
  | 'public'
  | 'unspecified'
  | 'private'
  | 'loopback'
  | 'link_local'
  | 'cgnat'
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'unique_local'
  | 'reserved';

export interface ParsedIp {
  version: 4 | 6;
  /** 4 or 16 bytes. */
  bytes: Uint8Array;
  /** Canonical text: dotted quad, or RFC 5952 lower-case compressed IPv6. */
  text: string;
}

const IPV4_PART = /^(0|[1-9]\d{0,2})$/;

/**
 * A dotted quad of four decimal numbers 0-255, or null. Leading zeros are refused: `010.0.0.1` is 10.0.0.1 to some
 * tools and 8.0.0.1 to others, and evidence must not be read two ways.
 */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!IPV4_PART.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/** An IPv6 address (RFC 4291 text forms: full, `::` compressed, trailing dotted IPv4), or null. No zone ids. */
export function parseIpv6(text: string): Uint8Array | null {
  if (text.length < 2 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string, allowV4: boolean): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === null) return null;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!HEXTET.test(g)) return null;
        words.push(parseInt(g, 16));
      }
    }
    return words;
  };
  let words: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0]!, false);
    const tail = parseGroups(halves[1]!, true);
    if (head === null || tail === null) return null;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (all === null || all.length !== 8) return null;
    words = all;
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = words[i]! >> 8;
    bytes[2 * i + 1] = words[i]! & 0xff;
  }
  return bytes;
}

function ipv6Text(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952: the longest run of two or more zero words becomes '::' (the first such run on a tie).
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestAt = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestAt < 0) return hex(words);
  return `${hex(words.slice(0, bestAt))}::${hex(words.slice(bestAt + bestLength))}`;
}

/** An IPv4 or IPv6 address as written in evidence (surrounding spaces ignored), or null when it is neither. */
export function parseIp(raw: string): ParsedIp | null {
  const text = raw.trim();
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes === null ? null : { version: 6, bytes, text: ipv6Text(bytes) };
  }
  const bytes = parseIpv4(text);
  return bytes === null ? null : { version: 4, bytes, text: Array.from(bytes).join('.') };
}

/** [first byte(s) as a prefix, prefix length in bits, class] */
type Block = readonly [readonly number[], number, IpClass];

const IPV4_BLOCKS: readonly Block[] = [
  [[0], 8, 'unspecified'], // "this network" (RFC 791)
  [[10], 8, 'private'], // RFC 1918
  [[100, 64], 10, 'cgnat'], // shared address space (RFC 6598)
  [[127], 8, 'loopback'], // RFC 1122
  [[169, 254], 16, 'link_local'], // RFC 3927
  [[172, 16], 12, 'private'], // RFC 1918
  [[192, 0, 0], 24, 'reserved'], // IETF protocol assignments (RFC 6890)
  [[192, 0, 2], 24, 'documentation'], // TEST-NET-1 (RFC 5737)
  [[192, 88, 99], 24, 'reserved'], // 6to4 relay anycast, deprecated (RFC 7526)
  [[192, 168], 16, 'private'], // RFC 1918
  [[198, 18], 15, 'benchmarking'], // RFC 2544
  [[198, 51, 100], 24, 'documentation'], // TEST-NET-2 (RFC 5737)
  [[203, 0, 113], 24, 'documentation'], // TEST-NET-3 (RFC 5737)
  [[224], 4, 'multicast'], // RFC 5771
  [[240], 4, 'reserved'], // future use, and 255.255.255.255 broadcast (RFC 1112, RFC 919)
];

const IPV6_BLOCKS: readonly Block[] = [
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard-only (RFC 6666)
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'reserved'], // local-use IPv4/IPv6 translation (RFC 8215)
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'], // RFC 3849
  [[0x20, 0x01, 0x00], 23, 'reserved'], // IETF protocol assignments: Teredo, ORCHID, AMT, ... (RFC 2928)
  [[0x3f, 0xff], 20, 'documentation'], // RFC 9637
  [[0x5f, 0x00], 16, 'reserved'], // SRv6 SIDs (RFC 9602)
  [[0xfc], 7, 'unique_local'], // RFC 4193
  [[0xfe, 0x80], 10, 'link_local'], // RFC 4291
  [[0xfe, 0xc0], 10, 'reserved'], // site-local, deprecated (RFC 3879)
  [[0xff], 8, 'multicast'], // RFC 4291
];

function inBlock(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[i]! & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyIpv4(bytes: Uint8Array): IpClass {
  for (const [prefix, bits, kind] of IPV4_BLOCKS) if (inBlock(bytes, prefix, bits)) return kind;
  return 'public';
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function classifyIpv6(bytes: Uint8Array): IpClass {
  // Forms that carry an IPv4 address are judged by it.
  const mapped = allZero(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff; // ::ffff:0:0/96
  const nat64 = bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && allZero(bytes, 4, 12); // 64:ff9b::/96
  if (mapped || nat64) return classifyIpv4(bytes.subarray(12, 16));
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return classifyIpv4(bytes.subarray(2, 6)); // 6to4 (RFC 3056)
  if (allZero(bytes, 0, 16)) return 'unspecified';
  if (allZero(bytes, 0, 15) && bytes[15] === 1) return 'loopback';
  for (const [prefix, bits, kind] of IPV6_BLOCKS) if (inBlock(bytes, prefix, bits)) return kind;
  // Outside global unicast 2000::/3 nothing is allocated to users (IPv4-compatible ::a.b.c.d included, deprecated).
  if ((bytes[0]! & 0xe0) !== 0x20) return 'reserved';
  return 'public';
}

/** What kind of address it is: only 'public' documents an online consent. */
export function classifyIp(ip: ParsedIp): IpClass {
  return ip.version === 4 ? classifyIpv4(ip.bytes) : classifyIpv6(ip.bytes);
}
