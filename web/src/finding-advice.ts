import type { FindingCode } from '../../shared/verdict/catalogue.js';

/**
 * What the committente can do about each finding (docs/verdict-rules.md), in both languages: one short line under
 * the finding on the intake's page. Typed by the catalogue's codes, so a new rule without advice is a type error
 * (and test/unit/web/finding-advice.test.ts checks the table against the catalogue at run time too).
 */
export const findingAdvice: Record<FindingCode, { it: string; en: string }> = {
  processing_failed: {
    it: 'Apri un nuovo intake e carica di nuovo i file; se si ripete, contatta la conformità.',
    en: 'Open a new intake and upload the files again; if it happens again, contact compliance.',
  },
  list_unreadable: {
    it: 'Esporta la lista come CSV con una riga di intestazione e una colonna del telefono, poi aprila in un nuovo intake.',
    en: 'Export the list as CSV with a header row and a phone column, then submit it in a new intake.',
  },
  list_too_large: {
    it: 'Dividi la lista in parti entro il limite e apri un intake per ciascuna.',
    en: 'Split the list into parts within the limit and open one intake for each.',
  },
  list_no_rows_survive: {
    it: 'Controlla numeri, date di consenso e verifica RPO della lista: nessuna riga è consegnabile.',
    en: 'Check the numbers, consent dates and RPO check of the list: no row can be released.',
  },
  list_excluded_ratio: {
    it: 'Troppe righe escluse: verifica la qualità della lista alla fonte prima di inviarne altre.',
    en: 'Too many rows excluded: check the list\'s quality at its source before sending more.',
  },
  list_rows_excluded: {
    it: 'Nessuna azione richiesta: le righe escluse non vengono consegnate al call center.',
    en: 'No action needed: the excluded rows are not released to the call center.',
  },
  attestation_unreadable: {
    it: 'Carica la dichiarazione come PDF (PAdES) o .p7m (CAdES) non cifrato, generato dal modulo precompilato.',
    en: 'Upload the attestation as an unencrypted PDF (PAdES) or .p7m (CAdES) made from the pre-filled form.',
  },
  attestation_scan_not_read: {
    it: 'Una persona della conformità leggerà la scansione; per un esito più rapido usa il PDF precompilato firmato digitalmente.',
    en: 'A compliance officer will read the scan; for a faster verdict use the pre-filled PDF, digitally signed.',
  },
  attestation_field_missing: {
    it: 'Compila il campo mancante nel modulo precompilato, fallo firmare di nuovo e apri un nuovo intake.',
    en: 'Fill in the missing field on the pre-filled form, have it signed again and open a new intake.',
  },
  attestation_field_unread: {
    it: 'Una persona verificherà il campo; in futuro usa il PDF precompilato invece di una scansione.',
    en: 'A person will check the field; next time use the pre-filled PDF rather than a scan.',
  },
  attestation_field_malformed: {
    it: 'Correggi il formato del campo (date GG/MM/AAAA, Partita IVA di 11 cifre) e fai firmare di nuovo.',
    en: 'Correct the field\'s format (dates DD/MM/YYYY, an 11-digit VAT number) and have it signed again.',
  },
  attestation_low_confidence: {
    it: 'Una persona verificherà la lettura; il PDF precompilato evita la lettura ottica.',
    en: 'A person will check the reading; the pre-filled PDF avoids optical reading.',
  },
  ocr_doubt: {
    it: 'Una persona verificherà la lettura; il PDF precompilato evita la lettura ottica.',
    en: 'A person will check the reading; the pre-filled PDF avoids optical reading.',
  },
  list_hash_mismatch: {
    it: 'La dichiarazione non riguarda questa lista: scarica la dichiarazione precompilata dopo aver caricato la lista e falla firmare.',
    en: 'The attestation is not for this list: download the pre-filled attestation after uploading the list and have it signed.',
  },
  row_count_mismatch: {
    it: 'Il numero di contatti dichiarato non corrisponde alla lista: usa la dichiarazione precompilata, che lo riporta.',
    en: 'The declared number of contacts does not match the list: use the pre-filled attestation, which carries it.',
  },
  intake_mismatch: {
    it: 'La dichiarazione riporta un altro intake: scarica quella precompilata di questo intake.',
    en: 'The attestation names another intake: download this intake\'s pre-filled one.',
  },
  vat_invalid: {
    it: 'Correggi la Partita IVA del titolare nella dichiarazione e fai firmare di nuovo.',
    en: 'Correct the controller\'s VAT number on the attestation and have it signed again.',
  },
  vat_not_tenant: {
    it: 'La dichiarazione deve essere del tuo committente: indica la sua Partita IVA.',
    en: 'The attestation must be your company\'s: give its VAT number.',
  },
  attestation_unsigned: {
    it: 'Fai firmare digitalmente la dichiarazione dal legale rappresentante (PAdES o CAdES) per un esito automatico.',
    en: 'Have the legal representative sign the attestation digitally (PAdES or CAdES) for an automatic verdict.',
  },
  signature_invalid: {
    it: 'Il file è stato modificato dopo la firma: firma di nuovo il documento definitivo e non modificarlo.',
    en: 'The file was changed after signing: sign the final document again and do not edit it afterwards.',
  },
  signature_not_whole_file: {
    it: 'Sono state aggiunte parti dopo la firma: firma di nuovo il documento completo.',
    en: 'Content was added after signing: sign the complete document again.',
  },
  signature_untrusted: {
    it: 'Usa un certificato di firma di un prestatore fidato (elenco di fiducia AgID/eIDAS).',
    en: 'Use a signing certificate from a trusted provider (AgID/eIDAS trusted list).',
  },
  signature_certificate_not_valid: {
    it: 'Il certificato non era valido alla firma: rinnovalo e firma di nuovo.',
    en: 'The certificate was not valid at signing: renew it and sign again.',
  },
  signature_certificate_mismatch: {
    it: 'La firma non è legata al suo certificato: firma di nuovo con un software conforme (PAdES/CAdES).',
    en: 'The signature is not bound to its certificate: sign again with compliant software (PAdES/CAdES).',
  },
  signature_not_tenant: {
    it: 'Deve firmare il legale rappresentante del tuo committente, con il proprio certificato.',
    en: 'Your company\'s legal representative must sign, with their own certificate.',
  },
  signature_certificate_usage: {
    it: 'Il certificato non è abilitato alla firma: usa un certificato di firma digitale.',
    en: 'The certificate is not issued for signing: use a digital signature certificate.',
  },
  signing_time_future: {
    it: 'Controlla data e ora del computer di firma e firma di nuovo.',
    en: 'Check the signing computer\'s date and time and sign again.',
  },
  signature_revoked: {
    it: 'Il certificato era revocato: firma di nuovo con un certificato valido.',
    en: 'The certificate was revoked: sign again with a valid certificate.',
  },
  revocation_status_unknown: {
    it: 'Nessuna azione richiesta; una firma con marca temporale e dati di revoca inclusi lo evita.',
    en: 'No action needed; a signature with a timestamp and embedded revocation data avoids it.',
  },
  signature_timestamp_unused: {
    it: 'Nessuna azione richiesta; usa una marca temporale di un prestatore fidato perché conti.',
    en: 'No action needed; use a timestamp from a trusted provider for it to count.',
  },
  signature_not_qualified: {
    it: 'La politica richiede una firma qualificata: firma con un certificato qualificato.',
    en: 'The policy requires a qualified signature: sign with a qualified certificate.',
  },
  signing_time_claimed: {
    it: 'Nessuna azione richiesta: l\'ora di firma è quella dichiarata dal firmatario.',
    en: 'No action needed: the signing time is the one the signer claims.',
  },
  rpo_check_stale: {
    it: 'Ripeti la verifica nel Registro delle Opposizioni (vale 15 giorni) e invia una nuova dichiarazione.',
    en: 'Check the list against the RPO again (valid 15 days) and send a new attestation.',
  },
  rpo_check_future: {
    it: 'La data della verifica RPO è nel futuro: correggila e fai firmare di nuovo.',
    en: 'The RPO check date is in the future: correct it and have it signed again.',
  },
  collection_period_future: {
    it: 'Il periodo di raccolta finisce nel futuro: indica le date reali di raccolta dei consensi.',
    en: 'The collection period ends in the future: give the real dates the consents were collected.',
  },
  collection_period_inverted: {
    it: 'Il periodo di raccolta ha l\'inizio dopo la fine: correggi le date.',
    en: 'The collection period starts after it ends: correct the dates.',
  },
  attestation_stale: {
    it: 'La dichiarazione ha più di 30 giorni: fanne firmare una nuova.',
    en: 'The attestation is over 30 days old: have a new one signed.',
  },
  attestation_undated: {
    it: 'Indica luogo e data nella dichiarazione; una persona la verificherà.',
    en: 'Give place and date on the attestation; a person will check it.',
  },
  extra_eu_transfer: {
    it: 'Una persona verificherà le garanzie del trasferimento fuori UE: tienile pronte.',
    en: 'A person will check the safeguards for the transfer outside the EU: have them ready.',
  },
  legal_basis_not_allowed: {
    it: 'Il telemarketing richiede il consenso documentato: una persona valuterà la base giuridica dichiarata.',
    en: 'Telemarketing rests on documented consent: a person will assess the declared legal basis.',
  },
  consent_sample_defects: {
    it: 'Una persona valuterà le righe difettose del campione; correggi le prove dei consensi alla fonte.',
    en: 'A person will assess the sample\'s defective rows; fix the consent evidence at its source.',
  },
  consent_sample_failed: {
    it: 'Troppi consensi del campione senza prova: rivedi la raccolta dei consensi prima di inviare la lista.',
    en: 'Too many sampled consents lack evidence: review how consents are collected before sending the list.',
  },
  consent_evidence_overdue: {
    it: 'Le prove dei consensi non sono arrivate in tempo: apri un nuovo intake e rispondi al campione entro la scadenza.',
    en: 'The consent evidence did not arrive in time: open a new intake and answer the sample before the deadline.',
  },
};

/** The advice for a finding code in a language; undefined for a code this console does not know yet. */
export function adviceFor(code: string, language: 'it' | 'en'): string | undefined {
  return (findingAdvice as Record<string, { it: string; en: string } | undefined>)[code]?.[language];
}
