// Where Alibaba Cloud credentials come from. AccessKey variables given to the bot are used exactly as given
// (with ALIBABA_CLOUD_SECURITY_TOKEN when set); otherwise @alicloud/credentials' default chain finds them the
// way every Alibaba SDK does: OIDC/RRSA on ACK, a credentials or CLI profile file, the ECS instance's RAM role
// through the metadata service, a credentials URI. The library caches temporary (STS) credentials and fetches
// new ones before they expire; pop-core asks for them on every call.
import { DefaultCredentialsProvider, StaticAKCredentialsProvider, StaticSTSCredentialsProvider, type CredentialsProvider } from '@alicloud/credentials';
import type { CloudCredentials } from './rpc.js';

/** What every RpcCaller reads its credentials from. */
export interface CredentialSource {
  getCredentials(): Promise<CloudCredentials>;
  /**
   * The service refused the current STS token (expired before the library expected, or revoked): drop the
   * cached credentials so the next call fetches new ones from the source.
   */
  renew(): void;
  /** e.g. `static`, `default/ecs_ram_role`; never a secret. */
  describe(): string;
}

export function credentialSource(keys?: CloudCredentials): CredentialSource {
  const build = (): CredentialsProvider => {
    if (!keys) return DefaultCredentialsProvider.builder().build();
    if (keys.securityToken) {
      return StaticSTSCredentialsProvider.builder().withAccessKeyId(keys.accessKeyId).withAccessKeySecret(keys.accessKeySecret).withSecurityToken(keys.securityToken).build();
    }
    return StaticAKCredentialsProvider.builder().withAccessKeyId(keys.accessKeyId).withAccessKeySecret(keys.accessKeySecret).build();
  };
  let provider = build();
  let providerName = keys ? 'static' : 'default';
  return {
    async getCredentials() {
      let c: Awaited<ReturnType<CredentialsProvider['getCredentials']>>;
      try {
        c = await provider.getCredentials();
      } catch (err) {
        // When every source of the chain failed (say STS was down during a renewal) the library's chain keeps
        // the last one it tried, the credentials URI, and would ask only that one from then on: start over.
        if (!keys) provider = build();
        throw err;
      }
      providerName = c.providerName || providerName;
      return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.securityToken ? { securityToken: c.securityToken } : {}) };
    },
    renew() {
      // Static keys cannot be renewed; a fresh chain forgets its cached session and asks its source again.
      if (!keys) provider = build();
    },
    describe: () => providerName,
  };
}
