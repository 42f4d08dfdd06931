/**
 * The handler's face for test suites outside handler/ (contract/, integration/, seed tests): what
 * they may use to judge the handler, and nothing the deployed code needs. Only test files may
 * import it (Biome's noRestrictedImports enforces it; see docs/handler.md).
 */
export { newPetErrors } from './pet';
export { petRepository } from './repository';
export { apiGatewayEvent, lambdaContext } from './test/events';
export { invoke } from './test/invoke';
export { SCENARIOS } from './test/scenarios';
