/** API Gateway REST API defaults shared by the stack and the local stage. */
export const API_NAME = 'pets-api';
export const DEFAULT_STAGE = 'default';
export const DEFAULT_LOCAL_PORT = 3000;
/** API Gateway's integration timeout for REST APIs (29 s). */
export const INTEGRATION_TIMEOUT_MS = 29_000;
