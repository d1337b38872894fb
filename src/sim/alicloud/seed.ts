// Seed parsing: YAML or JSON text (YAML is a superset), validated with zod. Strict objects, so a typo in
// a key is reported instead of silently ignored; every problem is listed with its path.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SimSeed } from './types.js';

/** How long a gateway stays `updating` (ms), and the fraction by which each update may differ from it. */
export const UPDATE_MS = z.number().int().min(0).max(3_600_000);
export const UPDATE_JITTER = z.number().min(0).max(1);

const serverSchema = z.strictObject({
  sslVpnServerId: z.string().min(1),
  name: z.string().optional(),
  clientIpPool: z.string().optional(),
  localSubnet: z.string().optional(),
  proto: z.enum(['TCP', 'UDP']).optional(),
  cipher: z.enum(['AES-128-CBC', 'AES-192-CBC', 'AES-256-CBC', 'none']).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  compress: z.boolean().optional(),
  connections: z.number().int().min(0).optional(),
});

const gatewaySchema = z.strictObject({
  vpnGatewayId: z.string().min(1),
  regionId: z.string().min(1),
  name: z.string().optional(),
  internetIp: z.string().optional(),
  sslMaxConnections: z.number().int().positive().optional(),
  status: z.string().min(1).optional(),
  businessStatus: z.enum(['Normal', 'FinancialLocked']).optional(),
  sslVpnServer: serverSchema.optional(),
});

const casSchema = z.strictObject({
  identifier: z.string().min(1),
  commonName: z.string().min(1),
  status: z.enum(['ISSUE', 'REVOKE']).optional(),
  serialNumber: z.string().optional(),
  certificateType: z.enum(['CLIENT', 'SERVER']).optional(),
});

export const simSeedSchema = z
  .strictObject({
    accessKeys: z.array(z.strictObject({ id: z.string().min(1), secret: z.string().min(1), disabled: z.boolean().optional() })).min(1),
    gateways: z.array(gatewaySchema),
    casCertificates: z.array(casSchema).optional(),
    clientCertQuota: z.number().int().min(0).optional(),
    updateMs: UPDATE_MS.optional(),
    updateJitter: UPDATE_JITTER.optional(),
  })
  .superRefine((seed, ctx) => {
    // Ids are keys in the sim's maps: duplicates would silently shadow each other.
    const dup = (values: string[], path: (i: number) => (string | number)[], what: string) => {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} ${v}` });
        seen.add(v);
      });
    };
    dup(seed.accessKeys.map((k) => k.id), (i) => ['accessKeys', i, 'id'], 'access key id');
    dup(seed.gateways.map((g) => g.vpnGatewayId), (i) => ['gateways', i, 'vpnGatewayId'], 'gateway id');
    const servers = seed.gateways.flatMap((g, i) => (g.sslVpnServer ? [{ id: g.sslVpnServer.sslVpnServerId, i }] : []));
    const seen = new Set<string>();
    for (const s of servers) {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['gateways', s.i, 'sslVpnServer', 'sslVpnServerId'], message: `duplicate SSL server id ${s.id}` });
      seen.add(s.id);
    }
    dup((seed.casCertificates ?? []).map((c) => c.identifier), (i) => ['casCertificates', i, 'identifier'], 'CAS identifier');
  });

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(root)';
}

/** Validates an already-parsed seed object; throws an Error listing every bad field. */
export function validateSimSeed(value: unknown): SimSeed {
  const result = simSeedSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`);
    throw new Error(`Invalid Alibaba simulator seed:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function parseSimSeed(yamlOrJsonText: string): SimSeed {
  let value: unknown;
  try {
    value = parseYaml(yamlOrJsonText);
  } catch (err) {
    throw new Error(`Invalid Alibaba simulator seed: not YAML/JSON: ${(err as Error).message}`);
  }
  return validateSimSeed(value);
}
