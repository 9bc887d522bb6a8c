import sanitizeHtml from 'sanitize-html';

/**
 * The HTML a letter body may carry: what every mailbox operator renders and nothing that can run,
 * track or restyle (no scripts, styles, images, forms or iframes). Links only to https and mailto:
 * any other link keeps its text and loses its href.
 */
const POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Tags outside the list are dropped but their text kept; script/style/textarea lose their content too.
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
  transformTags: {
    // Older editors write <b>/<i>: keep the emphasis rather than dropping it.
    b: 'strong',
    i: 'em',
  },
};

/** Reduces an HTML body to the safe subset above. Deterministic: the same input gives the same output. */
export function sanitizeLetterHtml(html: string): string {
  return sanitizeHtml(html, POLICY).trim();
}

/** True when the HTML has no visible text left (e.g. only a script, or only empty tags). */
export function isBlankHtml(html: string): boolean {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/&nbsp;|\s/g, '') === '';
}
