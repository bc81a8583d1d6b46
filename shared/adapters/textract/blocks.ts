import type { Block } from '@aws-sdk/client-textract';
import { fieldForLabel, parseAttestationLines, readField } from '../../attestation/fields.js';
import {
  attestationFieldNames,
  type AttestationFieldName,
  type AttestationFields,
  type ExtractedField,
} from '../../attestation/model.js';

export interface ReadBlocks {
  fields: AttestationFields;
  /** LINE blocks top to bottom, pages separated by a form feed line. */
  text: string;
  pages: number;
}

/**
 * The attestation's fields out of Textract's blocks (AnalyzeDocument or every page of GetDocumentAnalysis):
 *
 * 1. FORMS: each KEY_VALUE_SET whose EntityTypes holds KEY is matched to a field by its words, against the form's
 *    Italian and English labels; its VALUE block's words are the raw value.
 * 2. QUERIES: the QUERY block's Alias is the field's name; its ANSWER relationship points at the QUERY_RESULT.
 * 3. LINE blocks parsed as the text form (`Label: value`), only for a field neither of the above found.
 *
 * Several readings of one field: a value that normalises beats one that does not, then the higher confidence wins.
 * Confidence is Textract's 0-100 scaled to 0..1, and a pair is as sure as the least sure of the key, the value and
 * the value's words.
 */
export function fieldsFromBlocks(blocks: readonly Block[]): ReadBlocks {
  const byId = new Map<string, Block>();
  for (const block of blocks) if (block.Id) byId.set(block.Id, block);
  const candidates = new Map<AttestationFieldName, ExtractedField[]>();
  const offer = (field: ExtractedField | null, name: AttestationFieldName) => {
    if (!field) return;
    const list = candidates.get(name) ?? [];
    list.push(field);
    candidates.set(name, list);
  };

  for (const block of blocks) {
    if (block.BlockType !== 'KEY_VALUE_SET' || !block.EntityTypes?.includes('KEY')) continue;
    const key = childWords(block, byId);
    const name = fieldForLabel(key.text);
    if (!name) continue;
    for (const valueId of related(block, 'VALUE')) {
      const valueBlock = byId.get(valueId);
      if (!valueBlock) continue;
      const value = childWords(valueBlock, byId);
      const confidence = Math.min(score(block), score(valueBlock), ...value.confidences);
      offer(readField(name, value.text, 'textract', confidence), name);
    }
  }

  for (const block of blocks) {
    if (block.BlockType !== 'QUERY') continue;
    const alias = block.Query?.Alias;
    if (!isFieldName(alias)) continue;
    for (const answerId of related(block, 'ANSWER')) {
      const answer = byId.get(answerId);
      if (answer?.BlockType !== 'QUERY_RESULT' || !answer.Text) continue;
      offer(readField(alias, answer.Text, 'textract', score(answer)), alias);
    }
  }

  const lines = blocks.filter((b) => b.BlockType === 'LINE');
  const fromLines = parseAttestationLines(
    lines.map((b) => ({ text: b.Text ?? '', confidence: score(b) })),
    'textract',
  );
  // Lines know nothing of pairing: only a field that neither FORMS nor QUERIES found is taken from them.
  for (const name of attestationFieldNames) if (!candidates.has(name)) offer((fromLines[name] as ExtractedField | undefined) ?? null, name);

  const fields: AttestationFields = {};
  for (const [name, list] of candidates) {
    const best = [...list].sort((a, b) => Number(b.value !== null) - Number(a.value !== null) || b.confidence - a.confidence)[0]!;
    (fields as Record<string, ExtractedField>)[name] = best;
  }

  const pageNumbers = blocks.filter((b) => b.BlockType === 'PAGE').length || Math.max(0, ...lines.map((b) => b.Page ?? 1));
  const text = groupByPage(lines)
    .map((page) => page.map((b) => b.Text ?? '').join('\n'))
    .join('\n\f\n');
  return { fields, text, pages: pageNumbers };
}

function isFieldName(name: string | undefined): name is AttestationFieldName {
  return name !== undefined && (attestationFieldNames as readonly string[]).includes(name);
}

/** Textract's Confidence is 0-100. */
function score(block: Block): number {
  return Math.max(0, Math.min(100, block.Confidence ?? 0)) / 100;
}

function related(block: Block, type: 'CHILD' | 'VALUE' | 'ANSWER'): string[] {
  return (block.Relationships ?? []).filter((r) => r.Type === type).flatMap((r) => r.Ids ?? []);
}

/** The words a KEY or VALUE block is made of (selection elements carry no text). */
function childWords(block: Block, byId: Map<string, Block>): { text: string; confidences: number[] } {
  const words = related(block, 'CHILD')
    .map((id) => byId.get(id))
    .filter((b): b is Block => b?.BlockType === 'WORD' && typeof b.Text === 'string');
  return { text: words.map((w) => w.Text).join(' '), confidences: words.map(score) };
}

function groupByPage(lines: Block[]): Block[][] {
  const pages = new Map<number, Block[]>();
  for (const line of lines) {
    const page = line.Page ?? 1;
    pages.set(page, [...(pages.get(page) ?? []), line]);
  }
  return [...pages.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
}
