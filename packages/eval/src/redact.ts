/**
 * Keeps credentials out of everything the project writes. A server may echo the request (headers
 * included) in an error body, and that body ends up in error messages, retry log lines and results
 * files; every such text passes through a redactor first.
 */

/** What a credential is replaced with. */
export const REDACTED = '[REDACTED]';

/** Header names whose values are credentials (compared in lower case). */
const SECRET_HEADER = /^(authorization|proxy-authorization|api-key|x-api-key|x-goog-api-key|cookie|ocp-apim-subscription-key)$/i;

/**
 * Credentials that were never ours to know the value of still have recognisable shapes: a bearer
 * token, and `name: value` / `"name": "value"` pairs of the headers above.
 */
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const HEADER_PAIR = /(["']?)(authorization|proxy-authorization|api-key|x-api-key|x-goog-api-key|ocp-apim-subscription-key)\1(\s*[:=]\s*)(["']?)((?:Bearer\s+|Basic\s+)?[^"'\s,;}]+)\4/gi;

/** Values among `headers` that are credentials (an `Authorization: Bearer k` header yields `k` too). */
export function secretHeaderValues(headers: Readonly<Record<string, string>> | undefined): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!SECRET_HEADER.test(name) || !value) continue;
    values.push(value);
    const token = /^\s*(?:Bearer|Basic)\s+(\S+)\s*$/i.exec(value)?.[1];
    if (token) values.push(token);
  }
  return values;
}

/**
 * A function that removes `secrets` (every occurrence, also JSON- and URL-escaped) and anything
 * shaped like a credential header from a text. Secrets shorter than 4 characters are ignored:
 * replacing them would garble ordinary text and they protect nothing.
 */
export function secretRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    variants.add(secret);
    variants.add(JSON.stringify(secret).slice(1, -1));
    variants.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is removed whole.
  const ordered = [...variants].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const value of ordered) out = out.split(value).join(REDACTED);
    out = out.replace(BEARER, (_, scheme: string) => `${scheme} ${REDACTED}`);
    out = out.replace(HEADER_PAIR, (match, quote: string, name: string, separator: string, valueQuote: string, value: string) =>
      value.endsWith(REDACTED) ? match : `${quote}${name}${quote}${separator}${valueQuote}${REDACTED}${valueQuote}`,
    );
    return out;
  };
}
