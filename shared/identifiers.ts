/**
 * Italian identifiers that bind a signer and a form to the committente: the Partita IVA (VAT number) and the
 * codice fiscale (tax code) of a natural person.
 */

/**
 * Partita IVA: 11 digits, the last a Luhn-like check digit (DM 23/12/1976). Digits in odd positions are summed as
 * they are; those in even positions are doubled, minus 9 when the double exceeds 9.
 */
export function isValidPartitaIva(input: string): boolean {
  const vat = input.replace(/\s+/g, '').replace(/^IT/i, '');
  if (!/^\d{11}$/.test(vat)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const digit = vat.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      sum += digit;
    } else {
      const doubled = digit * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    }
  }
  return (10 - (sum % 10)) % 10 === vat.charCodeAt(10) - 48;
}

// Values of characters in odd positions (1st, 3rd, ...) for the codice fiscale check character (DM 23/12/1976).
const ODD_VALUES: Record<string, number> = {
  '0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18,
  N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

// Omocodia: when two people would share a code, digits are replaced from the right by these letters (0..9).
const OMOCODIA_LETTERS = 'LMNPQRSTUV';
const DIGIT_POSITIONS = [6, 7, 9, 10, 12, 13, 14];

function evenValue(ch: string): number {
  const code = ch.charCodeAt(0);
  return code <= 57 ? code - 48 : code - 65;
}

/** The check character of the first 15 characters of a codice fiscale. */
export function codiceFiscaleCheckChar(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = first15[i]!;
    sum += i % 2 === 0 ? ODD_VALUES[ch]! : evenValue(ch);
  }
  return String.fromCharCode(65 + (sum % 26));
}

/**
 * Codice fiscale of a natural person: 6 letters (surname, name), 2 digits (year), a month letter, 2 digits (day,
 * +40 for women), a cadastral code (letter + 3 digits), the check character. Omocodic codes, whose digits have been
 * replaced by the letters L..V, are valid too.
 */
export function isValidCodiceFiscale(input: string): boolean {
  const cf = input.trim().toUpperCase();
  if (cf.length !== 16) return false;
  const digitClass = `[0-9${OMOCODIA_LETTERS}]`;
  const shape = new RegExp(
    `^[A-Z]{6}${digitClass}{2}[ABCDEHLMPRST]${digitClass}{2}[A-Z]${digitClass}{3}[A-Z]$`,
  );
  if (!shape.test(cf)) return false;
  // Day of birth (01-31, or 41-71 for women), read after undoing omocodia.
  const day = Number(decodeOmocodia(cf).slice(9, 11));
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return false;
  return codiceFiscaleCheckChar(cf.slice(0, 15)) === cf[15];
}

/** The code with omocodia letters turned back into digits (for reading the date of birth). */
export function decodeOmocodia(cf: string): string {
  const chars = cf.toUpperCase().split('');
  for (const pos of DIGIT_POSITIONS) {
    const ch = chars[pos]!;
    const digit = OMOCODIA_LETTERS.indexOf(ch);
    if (digit >= 0) chars[pos] = String(digit);
  }
  return chars.join('');
}
