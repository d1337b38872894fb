// Real X.509 material for the simulated SSL servers, on @peculiar/x509 (WebCrypto underneath, so key
// generation and signing run off the event loop): one CA per SSL server, client certificates as Alibaba
// returns them (RSA 2048, PKCS#1 "RSA PRIVATE KEY", clientAuth), a server certificate for the OpenVPN
// process, and the CRL a gateway reloads after a delete.
import 'reflect-metadata'; // tsyringe, used inside @peculiar/x509, needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

// @peculiar/x509 signs with Node's global WebCrypto (globalThis.crypto) by default.
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * RSA-2048 generation costs 0.4–1.5 s of CPU on a loaded machine, and every test file is its own process.
 * So the simulator uses a few key pairs per purpose and hands them out again round-robin: every
 * certificate is still its own (serial, subject, issuer, signature), only key pairs repeat (each server's
 * CA has its own name, so a certificate of one server's CA is not trusted by another). The pairs are kept
 * in a per-user directory under the temp dir (0700) so later processes load them instead of making new
 * ones. They sign simulated certificates only. A simulator trade-off, never a real gateway's.
 */
const KEY_DIR = join(tmpdir(), `vpn-access-bot-sim-keys-${userInfo().uid}`);

async function loadOrMake(file: string): Promise<CryptoKeyPair> {
  const path = join(KEY_DIR, file);
  let pem: string | undefined;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    // not made yet
  }
  if (pem) {
    try {
      const key = createPrivateKey(pem);
      const privateKey = await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), ALG, true, ['sign']);
      const publicKey = await webcrypto.subtle.importKey('spki', createPublicKey(key).export({ type: 'spki', format: 'der' }), ALG, true, ['verify']);
      return { privateKey, publicKey };
    } catch {
      // unreadable: make a new one below
    }
  }
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  try {
    mkdirSync(KEY_DIR, { recursive: true, mode: 0o700 });
    const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    renameSync(tmp, path); // atomic: a concurrent process reads the old file or this one, never half
  } catch {
    // no writable temp dir: the next process makes its own
  }
  return keys;
}

class KeySource {
  private made: Promise<CryptoKeyPair>[] = [];
  private next = 0;
  constructor(
    private readonly kind: string,
    private readonly limit: number,
  ) {}

  take(): Promise<CryptoKeyPair> {
    if (this.made.length < this.limit) {
      const keys = loadOrMake(`${this.kind}-${this.made.length}.pem`);
      this.made.push(keys);
      return keys;
    }
    return this.made[this.next++ % this.limit]!;
  }
}

const caKeys = new KeySource('ca', 1);
const leafKeys = new KeySource('leaf', 2);

/** Starts the first key pairs of each kind together (they are made in libuv's thread pool, not on the event loop). */
export function warmKeys(): void {
  void caKeys.take().catch(() => undefined);
  void leafKeys.take().catch(() => undefined);
}

export interface Ca {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  pem: string;
}

export interface Issued {
  certPem: string;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), the form DescribeSslVpnClientCert returns. */
  keyPem: string;
}

/** A positive serial number as hex: 16 random bytes, top bit clear. */
export function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function pkcs1(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }).toString().trimEnd();
}

/** The SSL server's own CA (10 years). */
export async function createCa(sslVpnServerId: string, now = Date.now()): Promise<Ca> {
  const keys = await caKeys.take();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: `CN=${sslVpnServerId} CA, O=Alibaba Cloud simulator`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * YEAR_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, pem: cert.toString('pem') };
}

async function issue(ca: Ca, o: { commonName: string; serial: string; notBefore: number; notAfter: number; usage: string }): Promise<Issued> {
  const keys = await leafKeys.take();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: o.serial,
    subject: `CN=${o.commonName}`,
    issuer: ca.cert.subject,
    notBefore: new Date(o.notBefore),
    notAfter: new Date(o.notAfter),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([o.usage]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pkcs1(keys.privateKey) };
}

/** A client certificate valid from its creation to EndTime, named after the certificate id. */
export function issueClientCert(ca: Ca, o: { commonName: string; serial: string; createTime: number; endTime: number }): Promise<Issued> {
  return issue(ca, { commonName: o.commonName, serial: o.serial, notBefore: o.createTime - 60_000, notAfter: o.endTime, usage: x509.ExtendedKeyUsage.clientAuth });
}

/** The certificate the gateway's OpenVPN process presents (serverAuth, for clients checking remote-cert-tls). */
export function issueServerCert(ca: Ca, commonName: string, now = Date.now()): Promise<Issued> {
  return issue(ca, { commonName, serial: newSerial(), notBefore: now - 60_000, notAfter: now + 10 * YEAR_MS, usage: x509.ExtendedKeyUsage.serverAuth });
}

/** The revocation list of every certificate deleted from the server, as OpenVPN's crl-verify reads it. */
export async function crlPem(ca: Ca, revoked: readonly { serial: string; at: number }[], now = Date.now()): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + 10 * YEAR_MS),
    entries: revoked.map((r) => ({ serialNumber: r.serial, revocationDate: new Date(r.at) })),
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
  });
  // OpenSSL (and so OpenVPN) only reads the "X509 CRL" label.
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
}
