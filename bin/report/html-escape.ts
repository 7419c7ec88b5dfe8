/** Escaping for text placed in HTML and inline SVG: element content and double-quoted attribute values. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes any value for element content or a quoted attribute. NUL and other C0 controls (which HTML
 * forbids) become U+FFFD, so text from a corpus can never open a tag, end an attribute or close an <svg>.
 */
export function esc(value: unknown): string {
  return String(value)
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}
