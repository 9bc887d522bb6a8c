/**
 * Writers for XML that is already in exclusive canonical form (W3C exc-c14n): no prefixes, a default
 * namespace declared exactly where the namespace changes, `<a></a>` for empty elements, c14n escaping
 * and no insignificant whitespace. Because the bytes written are the canonical bytes, a digest can be
 * taken over them directly, without parsing and canonicalising again.
 */

// Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasInvalidXmlChars(value: string): boolean {
  return INVALID_XML_CHARS.test(value);
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Escapes text content the way c14n renders it. */
export function escapeText(value: string): string {
  return /[&<>\r]/.test(value) ? value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]) : value;
}

/** Escapes an attribute value the way c14n renders it. */
export function escapeAttr(value: string): string {
  return /[&<"\t\n\r]/.test(value) ? value.replace(/[&<"\t\n\r]/g, (c) => ATTR_ESCAPES[c]) : value;
}

/** `<name xmlns="ns">content</name>`, or without the declaration when `ns` is undefined (inherited). */
export function element(name: string, content: string, ns?: string): string {
  return ns === undefined ? `<${name}>${content}</${name}>` : `<${name} xmlns="${ns}">${content}</${name}>`;
}

/** Same as {@link element} with escaped text content. */
export function textElement(name: string, text: string, ns?: string): string {
  return element(name, escapeText(text), ns);
}
