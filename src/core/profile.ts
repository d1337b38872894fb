// Turns the gateway's ClientConfig and the certificate material into one self-contained OpenVPN profile:
// the ca/cert/key file references are replaced with inline <ca>, <cert> and <key> blocks.
export interface ProfileMaterial {
  clientConfig: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

const FILE_REFERENCE = /^\s*(ca|cert|key)\s+\S+\s*$/;

export class ProfileError extends Error {}

export function buildProfile(material: ProfileMaterial): string {
  const lines = material.clientConfig.replace(/\r\n/g, '\n').split('\n').filter((line) => !FILE_REFERENCE.test(line));
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (!lines.some((line) => /^\s*remote\s+\S+/.test(line))) throw new ProfileError('the gateway returned a client configuration without a remote line');
  for (const [name, value] of [['CA certificate', material.caCert], ['client certificate', material.clientCert], ['client key', material.clientKey]] as const) {
    if (!value.includes('-----BEGIN')) throw new ProfileError(`the gateway returned no ${name}`);
  }
  const block = (tag: string, pem: string) => `<${tag}>\n${pem.trim()}\n</${tag}>`;
  return [...lines, block('ca', material.caCert), block('cert', material.clientCert), block('key', material.clientKey), ''].join('\n');
}
