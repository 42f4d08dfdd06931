/**
 * The handler's public types: with the bundle (build/), the one way code outside handler/ reaches
 * the handler (Biome's noRestrictedImports enforces it; see docs/handler.md).
 */
export type { FieldError } from './errors';
export type { Pet } from './pet';
