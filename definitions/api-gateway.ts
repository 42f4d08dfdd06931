import type { APIGatewayEventIdentity } from 'aws-lambda';

/** API Gateway REST API defaults shared by the stack and the local stage. */
export const API_NAME = 'pets-api';
export const DEFAULT_STAGE = 'default';
export const DEFAULT_LOCAL_PORT = 3000;
/** API Gateway's integration timeout for REST APIs (29 s). */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * The caller identity of a REST API proxy event without an authorizer: every field API Gateway
 * fills only for IAM/Cognito callers stays null, so the local stage and the handler's test events
 * carry the same shape.
 */
export function anonymousIdentity(sourceIp: string, userAgent: string | null): APIGatewayEventIdentity {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}
