// IPv4 networks as Alibaba's ClientIpPool / LocalSubnet parameters take them (§7.2), on ipaddr.js.
// Deliberately the simulator's own code, not the product's: a wrong product rule must be caught by a
// test against the sim, which it could not be if both shared one implementation.
import ipaddr from 'ipaddr.js';

export interface Cidr {
  /** The network address (host bits cleared). */
  network: ipaddr.IPv4;
  prefix: number;
}

const DOTTED_QUAD_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** `a.b.c.d/n` with every octet 0–255 and n 0–32; anything else (`10/8`, `::1/128`, `1.2.3.4`) is undefined. */
export function parseCidr(text: string): Cidr | undefined {
  const m = DOTTED_QUAD_CIDR.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  return { network: ipaddr.IPv4.networkAddressFromCIDR(`${octets.join('.')}/${prefix}`), prefix };
}

/** Two networks overlap exactly when one contains the other's network address at its own prefix. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const shorter = Math.min(a.prefix, b.prefix);
  return a.network.match(b.network, shorter);
}

/** Addresses in the network. */
export const size = (c: Cidr): number => 2 ** (32 - c.prefix);

const list = (texts: string[]): Cidr[] => texts.map((t) => parseCidr(t)!);

/** ClientIpPool may not touch 100.64.0.0–100.127.255.255, 127/8, 169.254/16, 224.0.0.0–239.255.255.255, 255/8 (§7.2). */
export const POOL_FORBIDDEN = list(['100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.0.0.0/8']);
/** LocalSubnet may not touch 127/8, 169.254/16, 224–239.x, 255/8 (§7.2). */
export const SUBNET_FORBIDDEN = list(['127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.0.0.0/8']);
