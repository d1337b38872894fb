// IPv4 networks for the SSL-VPN server's ClientIpPool / LocalSubnet rules, parsed by ipaddr.js.
import ipaddr from 'ipaddr.js';

export interface Cidr {
  /** The address as written (may have host bits set). */
  address: ipaddr.IPv4;
  /** The network the prefix selects. */
  network: ipaddr.IPv4;
  prefix: number;
}

/** A dotted-quad `a.b.c.d/n`, or undefined (ipaddr.js alone would also accept forms like `10/8`). */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, extra] = text.trim().split('/');
  if (extra !== undefined || !addr || bits === undefined || !/^\d{1,2}$/.test(bits) || !ipaddr.IPv4.isValidFourPartDecimal(addr)) return undefined;
  try {
    const [address, prefix] = ipaddr.IPv4.parseCIDR(`${addr}/${bits}`);
    return { address, network: ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${bits}`), prefix };
  } catch {
    return undefined;
  }
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network.match(b.network, b.prefix) || b.network.match(a.network, a.prefix);
}

export const hasHostBits = (c: Cidr): boolean => c.address.toString() !== c.network.toString();
export const cidrText = (c: Cidr): string => `${c.network.toString()}/${c.prefix}`;

const cidrs = (list: string[]): Cidr[] => list.map((c) => parseCidr(c)!);
/** Ranges no client pool may touch: CGNAT, loopback, link-local, multicast, 255/8. */
export const POOL_RESERVED = cidrs(['100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.0.0.0/8']);
/** Ranges no local subnet may touch. */
export const SUBNET_RESERVED = cidrs(['127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.0.0.0/8']);
