/**
 * The `x-cors` block of contract/openapi.yaml as the function needs it. The bundle cannot read the
 * YAML at run time, so these are constants; a unit test proves they equal the spec.
 */
export const CORS = {
  allowOrigins: ['*'],
  exposeHeaders: ['link', 'location', 'retry-after', 'x-correlation-id'],
} as const;

/** Access-Control-* headers for an actual (non-preflight) response. */
export function corsHeaders(
  origin: string | undefined,
  allowed: readonly string[] = CORS.allowOrigins,
): Record<string, string> {
  const exposed = { 'access-control-expose-headers': CORS.exposeHeaders.join(', ') };
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*', ...exposed };
  if (origin && allowed.includes(origin)) {
    return { 'access-control-allow-origin': origin, vary: 'origin', ...exposed };
  }
  return { vary: 'origin' };
}
