// IPv4 CIDR rules for ClientIpPool / LocalSubnet (§7.2): the same arithmetic as the product's.
export { overlaps, parseCidr, POOL_RESERVED as POOL_FORBIDDEN, SUBNET_RESERVED as SUBNET_FORBIDDEN } from '../../core/cidr.js';
export type { Cidr } from '../../core/cidr.js';
