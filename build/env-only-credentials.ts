import { fromEnv } from '@aws-sdk/credential-provider-env';
import { CredentialsProviderError } from '@smithy/core/config';
import type { AwsCredentialIdentity, Logger } from '@smithy/types';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the handler bundle (build/bundle.ts swaps
 * it in): the same exports, with the chain cut to its first link, the environment. Never imported
 * by the handler's own code or tests, which keep the SDK's default chain.
 */

interface ProviderInit {
  logger?: Logger;
}

export const defaultProvider = (init: ProviderInit = {}) => {
  const fromEnvironment = fromEnv(init);
  return async (): Promise<AwsCredentialIdentity> => {
    try {
      return await fromEnvironment();
    } catch {
      throw new CredentialsProviderError(
        'No AWS credentials: this function reads them only from the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), which the Lambda runtime sets from the execution role; set them when running the bundle elsewhere',
        { tryNextLink: false, logger: init.logger },
      );
    }
  };
};

export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity | undefined): boolean =>
  credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity | undefined): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300000;
