/**
 * SSRF guard: the crawler refuses to connect to loopback, private, link-local and other non-public
 * addresses unless allowed (tests against a local server pass `allowPrivate`). The check runs on the
 * address DNS actually returned, at connect time, through the socket's `lookup` hook, so a public name
 * resolving to 127.0.0.1 (or a redirect to one) is refused too; IP-literal hosts, which skip DNS, are
 * checked before the request. Ranges: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

function v4ToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

// [network, prefix length]; everything that is not globally reachable unicast.
const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata at 169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved + broadcast
];
const V4_MASKS = V4_BLOCKED.map(([net, len]) => {
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { net: (v4ToInt(net) & mask) >>> 0, mask };
});

function v4Blocked(ip: string): boolean {
  const n = v4ToInt(ip);
  return V4_MASKS.some(({ net, mask }) => ((n & mask) >>> 0) === net);
}

/** Expands an IPv6 address into 8 16-bit groups (handles "::" and an embedded IPv4 tail). */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = v4ToInt(v4[1]!);
    s = s.slice(0, -v4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail !== undefined ? 8 - h.length - t.length : 0;
  return [...h, ...Array(fill).fill('0'), ...t].map((g) => parseInt(g || '0', 16));
}

function v6Blocked(ip: string): boolean {
  const g = v6Groups(ip);
  if (g.length !== 8) return true;
  const zeroTo = (k: number) => g.slice(0, k).every((x) => x === 0);
  if (zeroTo(7) && (g[7] === 0 || g[7] === 1)) return true; // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible: judge the IPv4 address.
  if (zeroTo(5) && g[5] === 0xffff) return v4Blocked(`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeroTo(0)) return v4Blocked(`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`); // NAT64
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (first === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (first === 0x2002) { // 6to4: embedded IPv4
    return v4Blocked(`${g[1]! >> 8}.${g[1]! & 255}.${g[2]! >> 8}.${g[2]! & 255}`);
  }
  return false;
}

/** True for addresses a public crawler must not connect to. */
export function isBlockedAddress(ip: string): boolean {
  const kind = isIP(ip);
  if (kind === 4) return v4Blocked(ip);
  if (kind === 6) return v6Blocked(ip);
  return true; // not an IP address at all
}

export class BlockedAddressError extends Error {
  readonly code = 'blocked_address';
  constructor(readonly host: string, readonly address: string) {
    super(`refusing to connect to ${host} (${address}): loopback, private and link-local addresses are blocked`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` function for net/tls.connect (and so for undici's connect options) that resolves with the
 * system resolver and fails with BlockedAddressError when any returned address is blocked.
 */
/**
 * `allowPrivate`: true allows every address; a list allows just those addresses (e.g. one internal
 * mirror); false (the default everywhere) allows none.
 */
export type AllowPrivate = boolean | readonly string[];

export function isAddressAllowed(ip: string, allowPrivate: AllowPrivate): boolean {
  if (allowPrivate === true) return true;
  if (!isBlockedAddress(ip)) return true;
  return Array.isArray(allowPrivate) && allowPrivate.includes(ip);
}

export function guardedLookup(allowPrivate: AllowPrivate) {
  return (hostname: string, options: LookupOptions | number | LookupCallback, callback?: LookupCallback): void => {
    const cb = (typeof options === 'function' ? options : callback)!;
    const opts: LookupOptions = typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err, '');
      const list = addresses as LookupAddress[];
      if (allowPrivate !== true) {
        const bad = list.find((a) => !isAddressAllowed(a.address, allowPrivate));
        if (bad) return cb(new BlockedAddressError(hostname, bad.address) as unknown as NodeJS.ErrnoException, '');
      }
      if (opts.all) return cb(null, list);
      const first = list[0];
      if (!first) return cb(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      cb(null, first.address, first.family);
    });
  };
}

/** Checks a URL's host when it is an IP literal (connect skips DNS for those). */
export function assertHostAllowed(url: URL, allowPrivate: AllowPrivate): void {
  if (allowPrivate === true) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isAddressAllowed(host, allowPrivate)) throw new BlockedAddressError(url.hostname, host);
}
