/**
 * A scheme (only an http(s) one may go without slashes: WHATWG URLs read `https:u:p@h` as `https://u:p@h`),
 * then everything up to the last `@` (or `＠` / `﹫`, which a Chinese input method types in its place): what
 * anyone could have meant as `user:password@`. A password may hold
 * `/`, `?` or `#` in a value the URL parser refuses, so nothing short of the last `@` is safe to print.
 */
const USERINFO = /^(\s*(?:[a-z][a-z\d+.-]*:[/\\]+|https?:[/\\]*)?)([\s\S]*)[@\uFF20\uFE6B]/i;

/**
 * The URL with its user and password, query and fragment masked: a refused setting ends up in platform logs,
 * and a key can sit in any of them (`?key=` for Gemini, a signed endpoint's query).
 */
export function redactedUrl(value: string): string {
  return value
    .replace(USERINFO, (_, scheme: string, userinfo: string) =>
      userinfo.includes(':') ? `${scheme}***:***@` : `${scheme}***@`,
    )
    .replace(/[?#][\s\S]*$/, '?***');
}
