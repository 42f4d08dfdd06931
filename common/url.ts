/**
 * One rule for every base URL the project is given, a stage's or a service endpoint's: an absolute
 * http(s) URL with neither query nor fragment, kept as written but for its trailing slashes, which
 * are dropped, so `${base}/pets` never holds `//` (CloudFormation's ApiUrl ends in one, a user's
 * `--base-url` may or may not).
 */

/** The URL under the rule, or why it is not a base URL (a phrase: `'x' is not a URL`). */
export type BaseUrl = { url: string } | { problem: string };

export function parseBaseUrl(raw: string): BaseUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'is not an http(s) URL' };
  if (url.search || url.hash) return { problem: 'carries a query or fragment; a base URL has neither' };
  return { url: withoutTrailingSlash(raw) };
}

/** The URL without the slashes it ends with. */
export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/u, '');
}
