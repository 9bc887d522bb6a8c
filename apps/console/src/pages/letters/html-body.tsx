import { Fragment, ReactNode } from 'react';

/**
 * An HTML letter body as React elements, without ever putting HTML into the page: the text is parsed
 * into an inert document (DOMParser runs no scripts and loads nothing) and only a small set of
 * elements is rebuilt (paragraphs, line breaks, lists, headings, emphasis; a link as its text and
 * address). Everything else contributes its text only. The hub already reduced the body to a safe
 * subset when it accepted it; this keeps the console safe even if it had not.
 */
export function HtmlBody({ html }: { html: string }) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return <div className="letter-body">{children(doc.body, 'b')}</div>;
}

const BLOCKS: Record<string, 'p' | 'ul' | 'ol' | 'li' | 'blockquote'> = { P: 'p', DIV: 'p', UL: 'ul', OL: 'ol', LI: 'li', BLOCKQUOTE: 'blockquote' };
const INLINE: Record<string, 'strong' | 'em' | 'u'> = { STRONG: 'strong', B: 'strong', EM: 'em', I: 'em', U: 'u' };

function children(node: Node, key: string): ReactNode[] {
  return Array.from(node.childNodes).map((child, i) => convert(child, `${key}.${i}`));
}

function convert(node: Node, key: string): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const el = node as Element;
  const tag = el.tagName;
  if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'TEMPLATE') return null;
  if (tag === 'BR') return <br key={key} />;
  const block = BLOCKS[tag];
  if (block) {
    const Tag = block;
    return <Tag key={key}>{children(el, key)}</Tag>;
  }
  // Headings inside a letter are part of its text, not of the page's outline.
  if (/^H[1-6]$/.test(tag)) {
    return (
      <p key={key}>
        <strong>{children(el, key)}</strong>
      </p>
    );
  }
  const inline = INLINE[tag];
  if (inline) {
    const Tag = inline;
    return <Tag key={key}>{children(el, key)}</Tag>;
  }
  if (tag === 'A') {
    const href = el.getAttribute('href') ?? '';
    const text = el.textContent ?? '';
    return (
      <Fragment key={key}>
        {children(el, key)}
        {href && href !== text ? ` (${href})` : null}
      </Fragment>
    );
  }
  return <Fragment key={key}>{children(el, key)}</Fragment>;
}
