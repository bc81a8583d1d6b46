/**
 * Formula injection (OWASP "CSV injection"): call centers open released lists in spreadsheets, where a cell that
 * starts with = + - @ TAB or CR may be evaluated as a formula. Such a cell is prefixed with an apostrophe, which
 * spreadsheets read as "this is text". A cell already starting with ' is left alone, so neutralising is idempotent.
 */
export function neutraliseCell(cell: string): string {
  if (cell.length === 0) return cell;
  const c = cell.charCodeAt(0);
  // = 61, + 43, - 45, @ 64, TAB 9, CR 13
  if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) return `'${cell}`;
  return cell;
}

export function needsNeutralising(cell: string): boolean {
  return neutraliseCell(cell) !== cell;
}
