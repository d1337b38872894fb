// A stand-in for Alibaba Cloud STS answering AssumeRoleWithOIDC over HTTPS on 127.0.0.1, the way ACK's RRSA
// uses it: it checks the pod's service-account token (a JWT signed by the cluster's issuer) against the
// registered OIDC provider and role, and hands out the role's temporary credentials, issued by the Alibaba
// simulator so that it accepts them. Refusals carry STS's codes. Its certificate is for sts.aliyuncs.com,
// signed by a CA made here: a product process trusts it through NODE_EXTRA_CA_CERTS and reaches the server
// through test/helpers/hosts.ts (@alicloud/credentials always calls https://sts.aliyuncs.com on port 443).
import 'reflect-metadata'; // tsyringe, used inside @peculiar/x509, needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, verify, webcrypto, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AlibabaSim, StsCredentials } from '../../src/sim/alicloud/index.js';

export const STS_HOST = 'sts.aliyuncs.com';
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface StsRequest {
  action: string;
  roleArn: string;
  oidcProviderArn: string;
  roleSessionName: string;
  token: string;
  /** The name the client asked for in TLS (SNI). */
  servername: string;
  /** STS's error code when refused. */
  code?: string;
}

export interface FakeSts {
  /** `127.0.0.1:<port>`, for TEST_HOSTS. */
  address: string;
  /** The CA that signed the server's certificate, for NODE_EXTRA_CA_CERTS. */
  caPem: string;
  /** Lifetime of the next credentials handed out (the library renews credentials in their last 15 minutes). */
  ttlMs: number;
  /** How many of the next requests to answer 503 ServiceUnavailable (an STS outage). */
  failNext: number;
  issued: StsCredentials[];
  requests: StsRequest[];
  /** A service-account token of the cluster's issuer, as the kubelet projects it into the pod. */
  podToken(expiresInMs: number): string;
  close(): Promise<void>;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function tlsMaterial(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const now = Date.now();
  const caKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=vpn-access-bot test CA', notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000),
    keys: caKeys, signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const leafKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: `CN=${STS_HOST}`, issuer: ca.subject, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000),
    publicKey: leafKeys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: EC,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: STS_HOST }]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  const keyPem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { caPem: ca.toString('pem'), certPem: leaf.toString('pem'), keyPem };
}

/** Checks a pod token as STS does for a registered provider: signature, issuer, audience, expiry. */
function tokenProblem(token: string, issuer: string, publicKey: KeyObject): { code: string; message: string } | undefined {
  const parts = token.trim().split('.');
  const invalid = { code: 'AuthenticationFail.OIDCToken.Invalid', message: 'The OIDC token is invalid.' };
  if (parts.length !== 3) return invalid;
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2]!, 'base64url'))) return invalid;
  const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: string; aud?: string[]; exp?: number };
  if (claims.iss !== issuer) return { code: 'AuthenticationFail.OIDCToken.IssuerNotMatch', message: 'The issuer in the OIDC Token doesn\'t match the OIDC Provider registered.' };
  if (!claims.aud?.includes(STS_HOST)) return { code: 'AuthenticationFail.OIDCToken.AudienceNotMatch', message: 'Invalid audience.' };
  if (!claims.exp || claims.exp * 1000 <= Date.now()) return { code: 'AuthenticationFail.OIDCToken.Expired', message: 'This JsonWebToken is expired.' };
  return undefined;
}

export async function startFakeSts(sim: AlibabaSim, o: { roleArn: string; oidcProviderArn: string }): Promise<FakeSts> {
  const issuer = 'https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c0test';
  const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tls = await tlsMaterial();
  const fake = {
    ttlMs: 3_600_000,
    failNext: 0,
    issued: [] as StsCredentials[],
    requests: [] as StsRequest[],
  };

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
    req.on('end', () => {
      const query = new URL(req.url ?? '/', `https://${STS_HOST}`).searchParams;
      const form = new URLSearchParams(body);
      const request: StsRequest = {
        action: query.get('Action') ?? '', roleArn: form.get('RoleArn') ?? '', oidcProviderArn: form.get('OIDCProviderArn') ?? '',
        roleSessionName: form.get('RoleSessionName') ?? '', token: form.get('OIDCToken') ?? '', servername: (req.socket as TLSSocket).servername || '',
      };
      fake.requests.push(request);
      const requestId = randomUUID().toUpperCase();
      const refuse = (status: number, code: string, message: string) => {
        request.code = code;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ RequestId: requestId, HostId: STS_HOST, Code: code, Message: message }));
      };
      if (fake.failNext > 0) {
        fake.failNext--;
        return refuse(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
      if (req.method !== 'POST' || request.action !== 'AssumeRoleWithOIDC' || query.get('Version') !== '2015-04-01') {
        return refuse(400, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      }
      if (request.oidcProviderArn !== o.oidcProviderArn) return refuse(400, 'AuthenticationFail.NoPermission', 'No such OIDC Provider registered.');
      if (request.roleArn !== o.roleArn) return refuse(404, 'EntityNotExist.Role', `The role not exists: ${request.roleArn}.`);
      const problem = tokenProblem(request.token, issuer, signer.publicKey);
      if (problem) return refuse(400, problem.code, problem.message);
      const creds = sim.issueStsCredentials(fake.ttlMs);
      fake.issued.push(creds);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        RequestId: requestId,
        AssumedRoleUser: { AssumedRoleId: `300000000000:${request.roleSessionName}`, Arn: `${o.roleArn}/${request.roleSessionName}` },
        Credentials: { AccessKeyId: creds.accessKeyId, AccessKeySecret: creds.accessKeySecret, SecurityToken: creds.securityToken, Expiration: creds.expiration },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(fake, {
    address: `127.0.0.1:${port}`,
    caPem: tls.caPem,
    podToken(expiresInMs: number): string {
      const now = Math.floor(Date.now() / 1000);
      const header = b64url({ alg: 'ES256', typ: 'JWT', kid: 'test' });
      const payload = b64url({ iss: issuer, sub: 'system:serviceaccount:vpn:vpn-access-bot', aud: [STS_HOST], iat: now, exp: now + Math.round(expiresInMs / 1000) });
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
      return `${header}.${payload}.${signature.toString('base64url')}`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
