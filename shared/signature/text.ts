/**
 * A sentence a person reads, in English and Italian (docs/verdict-rules.md: a finding's Italian message carries no
 * English detail). Every check the verifier reports is written in both languages where it is made.
 */
export interface Bilingual {
  en: string;
  it: string;
}

export function bi(en: string, it: string): Bilingual {
  return { en, it };
}

/** UTC instant as the reports write it in both languages. */
export function instant(date: Date): string {
  return date.toISOString();
}
