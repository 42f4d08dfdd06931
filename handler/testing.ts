/**
 * The handler's face for test suites outside handler/ (contract/, integration/, seed tests): what
 * they may use to judge the handler, and nothing the deployed code needs. Only test files may
 * import it (Biome's noRestrictedImports enforces it; see docs/handler.md).
 */
export { checkTraceHeaders, MAX_TRACE_HEADER_LENGTH } from './http';
export { decodePageToken, encodePageToken } from './page-token';
export { MAX_PET_ID, newPetErrors, parsePetId } from './pet';
export { petRepository } from './repository';
export { apiGatewayEvent, lambdaContext } from './test/events';
export { type Invocation, invocationOf, invoke } from './test/invoke';
export { SCENARIOS } from './test/scenarios';
