// IPv4 CIDR arithmetic for the SSL server's ClientIpPool / LocalSubnet rules (§7.2).

export interface Cidr {
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base, prefix };
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const mask = maskOf(Math.min(a.prefix, b.prefix));
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0);
}

const R = (text: string): Cidr => parseCidr(text) as Cidr;
/** Ranges no client pool may touch: CGNAT, loopback, link-local, multicast, 255/8. */
export const POOL_FORBIDDEN = [R('100.64.0.0/10'), R('127.0.0.0/8'), R('169.254.0.0/16'), R('224.0.0.0/4'), R('255.0.0.0/8')];
/** Ranges no local subnet may touch. */
export const SUBNET_FORBIDDEN = [R('127.0.0.0/8'), R('169.254.0.0/16'), R('224.0.0.0/4'), R('255.0.0.0/8')];
