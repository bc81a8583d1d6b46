import type { FindingCode } from '../../shared/verdict/catalogue.js';

/**
 * The legal reference of each rule in Italian, for the console. The English reference travels with every finding
 * (`rule`, from shared/verdict/catalogue.ts); this table is keyed by the same codes, so the type checker refuses a
 * catalogue entry without its Italian reference.
 */
export const legalReferencesIt: Record<FindingCode, string> = {
  processing_failed: 'Specifica Filiera §2: una pratica la cui elaborazione fallisce 3 volte è respinta, mai ritentata all\'infinito',
  list_unreadable: 'Specifica Filiera §3: un CSV con riga di intestazione e colonna del telefono',
  list_too_large: 'Specifica Filiera §5: dimensione massima della lista',
  list_no_rows_survive: 'Specifica Filiera §5: almeno una riga deve superare la pulizia',
  list_excluded_ratio: 'Codice di condotta telemarketing 2024 art. 14: catena di custodia e qualità dei dati',
  list_rows_excluded: 'Specifica Filiera §3; DPR 26/2022 (Registro Pubblico delle Opposizioni)',
  attestation_unreadable: 'Specifica Filiera §4: formati ammessi per la dichiarazione',
  attestation_scan_not_read: 'Specifica Filiera §5: una scansione la valuta una persona',
  attestation_field_missing: 'Specifica Filiera §4-5: campi obbligatori della dichiarazione',
  attestation_field_unread: 'Specifica Filiera §5: un dubbio di lettura ottica lo scioglie una persona',
  attestation_field_malformed: 'Specifica Filiera §4: formato dei campi',
  attestation_low_confidence: 'Specifica Filiera §5: affidabilità dell\'estrazione',
  ocr_doubt: 'Specifica Filiera §5: un dubbio di lettura ottica lo scioglie una persona, non è un rigetto',
  list_hash_mismatch: 'Codice di condotta telemarketing 2024 art. 14: catena di custodia della lista',
  row_count_mismatch: 'Codice di condotta telemarketing 2024 art. 14: catena di custodia della lista',
  intake_mismatch: 'Codice di condotta telemarketing 2024 art. 16: ogni lista è collegata alla sua campagna',
  vat_invalid: 'DM 23/12/1976: cifra di controllo della Partita IVA',
  vat_not_tenant: 'GDPR artt. 24 e 28: il titolare che consegna la lista',
  attestation_unsigned:
    'Specifica Filiera §5; CAD (D.Lgs. 82/2005) artt. 20-21: una firma autografa o assente la valuta una persona',
  signature_invalid: 'eIDAS art. 26; CAD artt. 20-21: una firma avanzata rileva ogni modifica',
  signature_not_whole_file: 'PAdES (ETSI EN 319 142): il contenuto aggiunto dopo la firma non è firmato',
  signature_untrusted: 'eIDAS art. 22: elenchi di fiducia',
  signature_certificate_not_valid: 'eIDAS art. 32: validità al momento della firma',
  signature_certificate_mismatch: 'RFC 5035 / ETSI EN 319 122: signing-certificate-v2 vincola il certificato',
  signature_not_tenant: 'GDPR art. 24: firma il legale rappresentante del titolare',
  signature_certificate_usage: 'RFC 5280 4.2.1.3, 4.2.1.9, 4.2.1.12; ETSI EN 319 412-2: un certificato firma solo ciò per cui è stato emesso',
  signing_time_future: 'Specifica Filiera §5: l\'ora di firma non è successiva alla verifica (5 minuti di tolleranza)',
  signature_revoked: 'eIDAS artt. 32(1)(b) e 28(4): un certificato revocato al momento della firma non sostiene la firma',
  revocation_status_unknown: 'Specifica Filiera §5: criterio requireRevocationStatus (revisione se lo stato di revoca non è accertabile)',
  signature_timestamp_unused: 'Specifica Filiera §5; eIDAS artt. 41-42: una marca temporale vale solo se verificata presso un\'autorità fidata',
  signature_not_qualified: 'Specifica Filiera §5: criterio requireQualified; eIDAS artt. 3(12) e 25(2): firma elettronica qualificata',
  signing_time_claimed: 'eIDAS artt. 41-42: solo una marca temporale qualificata prova l\'ora',
  rpo_check_stale: 'DPR 26/2022: una verifica nel Registro delle Opposizioni vale 15 giorni',
  rpo_check_future: 'DPR 26/2022: una verifica nel Registro delle Opposizioni vale 15 giorni',
  collection_period_future: 'Codice di condotta telemarketing 2024 art. 6: consenso con data certa e immodificabile',
  collection_period_inverted: 'Codice di condotta telemarketing 2024 art. 6: consenso con data certa e immodificabile',
  attestation_stale: 'Specifica Filiera §5: una dichiarazione vale 30 giorni',
  attestation_undated: 'Specifica Filiera §5: una dichiarazione vale 30 giorni',
  extra_eu_transfer: 'GDPR artt. 44 ss.; Codice di condotta telemarketing 2024 art. 6: trasferimenti extra UE',
  legal_basis_not_allowed: 'GDPR artt. 6(1)(a) e 7(1): il telemarketing si fonda su un consenso documentato',
  consent_sample_defects:
    'Codice di condotta telemarketing 2024 art. 6.1.a: consensi documentati con data e origine, verificati su un campione significativamente rappresentativo',
  consent_sample_failed:
    'Codice di condotta telemarketing 2024 art. 6.1.a: consensi documentati con data e origine, verificati su un campione significativamente rappresentativo',
  consent_evidence_overdue:
    'Codice di condotta telemarketing 2024 art. 6.1.a: consensi documentati con data e origine, verificati su un campione significativamente rappresentativo',
};

/** The reference for a finding in the console's language; unknown codes fall back to the finding's own rule. */
export function legalReference(code: string, rule: string | undefined, language: 'it' | 'en'): string | undefined {
  if (language === 'it' && code in legalReferencesIt) return legalReferencesIt[code as FindingCode];
  return rule;
}
