import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (an esbuild alias, see
 * infra/cdk/bundling.ts). Lambda hands a function its execution role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and the SDK's default chain tries the environment
 * first: in Lambda it never reaches its other links (SSO, ini files, processes, web identity, container and instance
 * metadata), which cost each bundle about 110 kB of code to parse at every cold start. The embedded stack, the CLI
 * and the tests run from source and keep the full chain.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): CredentialProvider => fromEnv(init);

type CredentialProvider = ReturnType<typeof fromEnv>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

/** The package's other exports, with its semantics: credentials that carry an expiration are refreshed before it. */
export const credentialsWillNeedRefresh = (credentials: Credentials): boolean => credentials.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: Credentials): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
