/**
 * Text the CLI prints that someone else wrote (a committente's campaign name, an attestation's fields, a reviewer's
 * justification, an error body) must not drive the terminal: an escape sequence can rewrite what is on screen, hide
 * a line, retitle the window or, on some terminals, answer back; a bare newline or carriage return can forge a line
 * such as "verdict approved". So every control character goes: escape sequences (CSI and OSC, 7-bit and 8-bit)
 * whole, line breaks and tabs become a space, the other C0 and C1 controls and DEL are removed, and so are the
 * Unicode bidirectional overrides and isolates, which reorder what is shown ("Trojan Source").
 */

// ESC [ ... final byte, or the 8-bit CSI; ESC ] ... BEL or ST, or the 8-bit OSC; ESC followed by one character.
const ESCAPE_SEQUENCES = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u007e]?/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(LINE_BREAKS, ' ').replace(CONTROLS, '');
}

/** Every string in a JSON value (keys included) made terminal-safe; the rest as it is. */
export function terminalSafeDeep<T>(value: T): T {
  if (typeof value === 'string') return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => terminalSafeDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terminalSafe(k), terminalSafeDeep(v)])) as T;
  }
  return value;
}

/**
 * Output already laid out in lines by the CLI itself: each line made safe, the CLI's own line breaks kept. Use
 * terminalSafe on the foreign strings before they are laid out where possible: a line break inside one of them is
 * then a space, not a new line.
 */
export function terminalSafeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => terminalSafe(line))
    .join('\n');
}
