import { inputError } from '../errors.js';

/**
 * One escaping function per kind of output. User strings (queries, document ids, titles, file
 * names, raw rows) are data: whatever they hold, they must not become markup, terminal control
 * sequences or extra columns in any output clickforge writes.
 */

// C0 controls but tab and newline, DEL, C1 controls (ESC starts ANSI sequences; CSI is U+009B)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A visible stand-in for a control character: `\u001b` and friends as text. */
const visible = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text for a terminal: control characters (ANSI escapes, carriage returns, bells) shown as `\uXXXX` text; newlines and tabs kept. */
export function escapeTerminal(s: string): string {
  return s.replace(CONTROL, visible);
}

/**
 * Inline Markdown (a paragraph, a list item or a table cell): every character with a Markdown or
 * HTML meaning is backslash-escaped or an entity, line breaks and control characters become
 * visible text, so the string renders as itself and stays on its line.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(CONTROL_OR_NEWLINE, (c) => (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029' ? ' ' : visible(c)))
    .replace(/[\\`*_[\]#!|~<>$]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

/** Text inside an HTML element or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(CONTROL, visible).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON for a fenced code block in Markdown or a script block in HTML: `<`, `>`, `&` and backticks
 * as \u escapes (still the same JSON), so no string can close the fence or the element.
 */
export function jsonForEmbedding(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(/[<>&`\u2028\u2029]/g, visible);
}

/**
 * A field of a tab-separated file such as BEIR qrels (read by csv.reader with a tab delimiter,
 * or split on tabs). A tab, line break or control character would split the row, so such a
 * value is refused with the field named: fix it in the input (document ids are ids, not text).
 */
export function tsvField(s: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s)) {
    throw inputError('bad_tsv_field', `${what} ${JSON.stringify(s)} contains a tab, line break or control character and cannot be written to a tab-separated file; remove it from the input.`);
  }
  return s;
}
