/** The contact list engine (docs/list-format.md). */
export * from './model.js';
export { processContactList } from './process.js';
export { normaliseHeaderName, readListFacts, type ContactListOptions, type ListFacts } from './engine.js';
export { loadRpoRegister, RpoTable, type RpoRegister } from './rpo.js';
export { normalizePhone } from './phone.js';
export { neutraliseCell } from './neutralise.js';
export { parseCalendarDate } from './dates.js';
export { sniffEncoding, sniffDelimiter } from './sniff.js';
export { CsvRecordReader, parseCsv } from './csv.js';
