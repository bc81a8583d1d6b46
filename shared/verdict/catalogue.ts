import type { Finding, Severity } from '../finding.js';

/**
 * Every rule Filiera applies, as a stable code with its weight, the rule it encodes and a message in English and
 * Italian. Messages are written for a compliance officer, not a developer: what is wrong, with which value, and why
 * it matters.
 */
interface Entry<P> {
  severity: Severity;
  /** The rule the finding encodes, with its legal reference, in both languages (the console shows the reader's). */
  rule: { en: string; it: string };
  en: (p: P) => string;
  it: (p: P) => string;
}

type Params = Record<string, string | number | undefined>;

function entry<P extends Params = Record<string, never>>(e: Entry<P>): Entry<P> {
  return e;
}

export const catalogue = {
  // ---- processing ------------------------------------------------------------------------------------------------
  processing_failed: entry<{ attempts: number }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §2: an intake whose processing fails 3 times is rejected, never retried for ever',
      it: 'Specifica Filiera §2: una pratica la cui elaborazione fallisce 3 volte è respinta, mai ritentata all\'infinito',
    },
    en: (p) =>
      `Processing failed ${p.attempts} times for reasons other than the documents' content: the intake is closed; upload the files again in a new intake.`,
    it: (p) =>
      `L'elaborazione non è riuscita ${p.attempts} volte per cause estranee al contenuto dei documenti: la pratica è chiusa; caricare di nuovo i file in una nuova pratica.`,
  }),

  // ---- the list -------------------------------------------------------------------------------------------------
  list_unreadable: entry<{ detail: string }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §3: a CSV with a header row and a phone column',
      it: 'Specifica Filiera §3: un CSV con riga di intestazione e colonna del telefono',
    },
    en: (p) => `The contact list cannot be read: ${p.detail}.`,
    it: (p) => `La lista dei contatti non è leggibile: ${p.detail}.`,
  }),
  list_too_large: entry<{ bytes: number; limit: number }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §5: size limit',
      it: 'Specifica Filiera §5: dimensione massima della lista',
    },
    en: (p) => `The contact list exceeds the size limit (${p.bytes} bytes read, limit ${p.limit}).`,
    it: (p) => `La lista supera la dimensione massima (${p.bytes} byte letti, limite ${p.limit}).`,
  }),
  list_no_rows_survive: entry<{ dataRows: number }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §5: at least one row must survive cleaning',
      it: 'Specifica Filiera §5: almeno una riga deve superare la pulizia',
    },
    en: (p) => `None of the ${p.dataRows} rows of the list survives cleaning: there is nothing lawful to release.`,
    it: (p) => `Nessuna delle ${p.dataRows} righe supera la pulizia: non c'è nulla da consegnare lecitamente.`,
  }),
  list_excluded_ratio: entry<{ excluded: number; dataRows: number; percent: string; limit: string }>({
    severity: 'review',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 14: chain of custody and data quality',
      it: 'Codice di condotta telemarketing 2024 art. 14: catena di custodia e qualità dei dati',
    },
    en: (p) =>
      `${p.excluded} of ${p.dataRows} rows (${p.percent}%) were excluded, above the ${p.limit}% threshold: a list in this state needs a person to check where it came from.`,
    it: (p) =>
      `${p.excluded} righe su ${p.dataRows} (${p.percent}%) sono state escluse, oltre la soglia del ${p.limit}%: la provenienza della lista va verificata da una persona.`,
  }),
  list_rows_excluded: entry<{ summary: string }>({
    severity: 'info',
    rule: {
      en: 'Filiera specification §3; DPR 26/2022 (RPO)',
      it: 'Specifica Filiera §3; DPR 26/2022 (Registro Pubblico delle Opposizioni)',
    },
    en: (p) => `Rows excluded from the released list: ${p.summary}.`,
    it: (p) => `Righe escluse dalla lista consegnata: ${p.summary}.`,
  }),

  // ---- the attestation: reading and binding ---------------------------------------------------------------------
  attestation_unreadable: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §4: accepted attestation formats',
      it: 'Specifica Filiera §4: formati ammessi per la dichiarazione',
    },
    en: (p) => `The attestation cannot be read: ${p.detail}.`,
    it: (p) => `La dichiarazione non è leggibile: ${p.detailIt ?? p.detail}.`,
  }),
  attestation_scan_not_read: entry({
    severity: 'review',
    rule: {
      en: 'Filiera specification §5: a scan goes to a person',
      it: 'Specifica Filiera §5: una scansione la valuta una persona',
    },
    en: () => 'The attestation is a scan whose text could not be read automatically: a person must read it.',
    it: () => 'La dichiarazione è una scansione il cui testo non è stato letto automaticamente: deve leggerla una persona.',
  }),
  attestation_field_missing: entry<{ label: string }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §4-5: required attestation fields',
      it: 'Specifica Filiera §4-5: campi obbligatori della dichiarazione',
    },
    en: (p) => `The attestation lacks the required field "${p.label}".`,
    it: (p) => `Nella dichiarazione manca il campo obbligatorio "${p.label}".`,
  }),
  attestation_field_unread: entry<{ label: string }>({
    severity: 'review',
    rule: {
      en: 'Filiera specification §5: OCR doubt is a human\'s call',
      it: 'Specifica Filiera §5: un dubbio di lettura ottica lo scioglie una persona',
    },
    en: (p) => `The required field "${p.label}" was not found by text recognition: a person must read it on the document.`,
    it: (p) => `Il campo obbligatorio "${p.label}" non è stato riconosciuto dalla lettura ottica: va letto sul documento da una persona.`,
  }),
  attestation_field_malformed: entry<{ label: string; raw: string; expected: string }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §4: field formats',
      it: 'Specifica Filiera §4: formato dei campi',
    },
    en: (p) => `The field "${p.label}" reads "${p.raw}", which is not ${p.expected}.`,
    it: (p) => `Il campo "${p.label}" riporta "${p.raw}", che non è ${p.expected}.`,
  }),
  attestation_low_confidence: entry<{ label: string; confidence: string; min: string }>({
    severity: 'review',
    rule: {
      en: 'Filiera specification §5: extraction confidence',
      it: 'Specifica Filiera §5: affidabilità dell\'estrazione',
    },
    en: (p) => `The field "${p.label}" was read with confidence ${p.confidence} (below ${p.min}): a person must confirm it.`,
    it: (p) => `Il campo "${p.label}" è stato letto con affidabilità ${p.confidence} (sotto ${p.min}): va confermato da una persona.`,
  }),
  ocr_doubt: entry<{ label: string; read: string; expected: string; edits: number }>({
    severity: 'review',
    rule: {
      en: 'Filiera specification §5: an OCR doubt is a human\'s call, not a rejection',
      it: 'Specifica Filiera §5: un dubbio di lettura ottica lo scioglie una persona, non è un rigetto',
    },
    en: (p) =>
      `The field "${p.label}" was read by OCR as "${p.read}", ${p.edits} character edit(s) from the expected "${p.expected}": probably a reading error, a person must compare it with the document.`,
    it: (p) =>
      `Il campo "${p.label}" è stato letto come "${p.read}", a ${p.edits} caratteri dal valore atteso "${p.expected}": probabile errore di lettura, va confrontato con il documento.`,
  }),
  list_hash_mismatch: entry<{ attested: string; actual: string }>({
    severity: 'reject',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 14: chain of custody of the list',
      it: 'Codice di condotta telemarketing 2024 art. 14: catena di custodia della lista',
    },
    en: (p) =>
      `The attestation covers a different list: it declares SHA-256 ${p.attested}, the uploaded list is ${p.actual}. An attestation cannot be reused for another list.`,
    it: (p) =>
      `La dichiarazione riguarda un'altra lista: dichiara l'impronta SHA-256 ${p.attested}, la lista caricata ha ${p.actual}. Una dichiarazione non può essere riutilizzata per un'altra lista.`,
  }),
  row_count_mismatch: entry<{ attested: number; actual: number }>({
    severity: 'reject',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 14: chain of custody of the list',
      it: 'Codice di condotta telemarketing 2024 art. 14: catena di custodia della lista',
    },
    en: (p) => `The attestation declares ${p.attested} contacts; the uploaded list has ${p.actual} data rows.`,
    it: (p) => `La dichiarazione indica ${p.attested} contatti; la lista caricata ne contiene ${p.actual}.`,
  }),
  intake_mismatch: entry<{ attested: string; actual: string }>({
    severity: 'reject',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 16: each list is linked to its campaign',
      it: 'Codice di condotta telemarketing 2024 art. 16: ogni lista è collegata alla sua campagna',
    },
    en: (p) => `The attestation was issued for intake ${p.attested}, not for this intake (${p.actual}).`,
    it: (p) => `La dichiarazione si riferisce all'intake ${p.attested}, non a questo (${p.actual}).`,
  }),
  vat_invalid: entry<{ vat: string }>({
    severity: 'reject',
    rule: {
      en: 'DM 23/12/1976: Partita IVA check digit',
      it: 'DM 23/12/1976: cifra di controllo della Partita IVA',
    },
    en: (p) => `The VAT number ${p.vat} is not a valid Partita IVA (wrong check digit).`,
    it: (p) => `La Partita IVA ${p.vat} non è valida (cifra di controllo errata).`,
  }),
  vat_not_tenant: entry<{ vat: string; tenantVat: string }>({
    severity: 'reject',
    rule: {
      en: 'GDPR art. 24 and 28: the controller who hands over the list',
      it: 'GDPR artt. 24 e 28: il titolare che consegna la lista',
    },
    en: (p) => `The attestation names the controller VAT ${p.vat}, but this committente is registered as ${p.tenantVat}.`,
    it: (p) => `La dichiarazione indica la Partita IVA ${p.vat}, ma il committente è registrato con ${p.tenantVat}.`,
  }),

  // ---- the signature -------------------------------------------------------------------------------------------
  attestation_unsigned: entry({
    severity: 'review',
    rule: {
      en: 'Filiera specification §5; CAD (D.Lgs. 82/2005) art. 20-21: a handwritten or missing signature is a human\'s call',
      it: 'Specifica Filiera §5; CAD (D.Lgs. 82/2005) artt. 20-21: una firma autografa o assente la valuta una persona',
    },
    en: () => 'The attestation carries no digital signature: its provenance must be judged by a person.',
    it: () => 'La dichiarazione non ha una firma digitale: la provenienza deve essere valutata da una persona.',
  }),
  signature_invalid: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'eIDAS art. 26; CAD art. 20-21: an advanced signature detects any change',
      it: 'eIDAS art. 26; CAD artt. 20-21: una firma avanzata rileva ogni modifica',
    },
    en: (p) => `The digital signature does not verify: ${p.detail}.`,
    it: (p) => `La firma digitale non è valida: ${p.detailIt ?? p.detail}.`,
  }),
  signature_not_whole_file: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'PAdES (ETSI EN 319 142): content added after signing is not signed',
      it: 'PAdES (ETSI EN 319 142): il contenuto aggiunto dopo la firma non è firmato',
    },
    en: (p) => `The signature does not cover the whole file: ${p.detail}.`,
    it: (p) => `La firma non copre l'intero file: ${p.detailIt ?? p.detail}.`,
  }),
  signature_untrusted: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'eIDAS art. 22: trusted lists',
      it: 'eIDAS art. 22: elenchi di fiducia',
    },
    en: (p) => `The signer's certificate does not chain to a trusted certification authority: ${p.detail}.`,
    it: (p) => `Il certificato del firmatario non discende da un'autorità di certificazione fidata: ${p.detailIt ?? p.detail}.`,
  }),
  signature_certificate_not_valid: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'eIDAS art. 32: validity at signing time',
      it: 'eIDAS art. 32: validità al momento della firma',
    },
    en: (p) => `The signer's certificate was not valid when signing: ${p.detail}.`,
    it: (p) => `Il certificato del firmatario non era valido al momento della firma: ${p.detailIt ?? p.detail}.`,
  }),
  signature_certificate_mismatch: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'RFC 5035 / ETSI EN 319 122: signing-certificate-v2 binds the certificate',
      it: 'RFC 5035 / ETSI EN 319 122: signing-certificate-v2 vincola il certificato',
    },
    en: (p) => `The signed reference to the signer's certificate does not match it: ${p.detail}.`,
    it: (p) => `Il riferimento firmato al certificato del firmatario non corrisponde: ${p.detailIt ?? p.detail}.`,
  }),
  signature_not_tenant: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'GDPR art. 24: the controller\'s legal representative signs',
      it: 'GDPR art. 24: firma il legale rappresentante del titolare',
    },
    en: (p) => `The signer does not identify this committente: ${p.detail}.`,
    it: (p) => `Il firmatario non identifica questo committente: ${p.detailIt ?? p.detail}.`,
  }),
  signature_certificate_usage: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'RFC 5280 4.2.1.3, 4.2.1.9, 4.2.1.12; ETSI EN 319 412-2: a certificate signs only what it was issued for',
      it: 'RFC 5280 4.2.1.3, 4.2.1.9, 4.2.1.12; ETSI EN 319 412-2: un certificato firma solo ciò per cui è stato emesso',
    },
    en: (p) => `The signer's certificate is not one for signing documents: ${p.detail}.`,
    it: (p) => `Il certificato del firmatario non è destinato alla firma di documenti: ${p.detailIt ?? p.detail}.`,
  }),
  signing_time_future: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §5: a signing time no later than processing (5 minutes of clock skew)',
      it: 'Specifica Filiera §5: l\'ora di firma non è successiva alla verifica (5 minuti di tolleranza)',
    },
    en: (p) => `The signing time is in the future: ${p.detail}.`,
    it: (p) => `L'ora di firma è nel futuro: ${p.detailIt ?? p.detail}.`,
  }),
  signature_revoked: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'eIDAS art. 32(1)(b) and 28(4): a certificate revoked at signing time does not support a signature',
      it: 'eIDAS artt. 32(1)(b) e 28(4): un certificato revocato al momento della firma non sostiene la firma',
    },
    en: (p) => `A signing certificate was revoked: ${p.detail}.`,
    it: (p) => `Un certificato di firma è stato revocato: ${p.detailIt ?? p.detail}.`,
  }),
  revocation_status_unknown: entry<{ detail: string; detailIt?: string }>({
    severity: 'info',
    rule: {
      en: 'Filiera specification §5: policy requireRevocationStatus (review when the revocation status cannot be established)',
      it: 'Specifica Filiera §5: criterio requireRevocationStatus (revisione se lo stato di revoca non è accertabile)',
    },
    en: (p) => `The revocation status of a signing certificate is not established: ${p.detail}.`,
    it: (p) => `Lo stato di revoca di un certificato di firma non è accertato: ${p.detailIt ?? p.detail}.`,
  }),
  signature_timestamp_unused: entry<{ detail: string; detailIt?: string }>({
    severity: 'info',
    rule: {
      en: 'Filiera specification §5; eIDAS art. 41-42: a timestamp counts only when it verifies against a trusted time-stamping authority',
      it: 'Specifica Filiera §5; eIDAS artt. 41-42: una marca temporale vale solo se verificata presso un\'autorità fidata',
    },
    en: (p) => `A signature timestamp was not used, the claimed signing time stands: ${p.detail}.`,
    it: (p) => `Una marca temporale della firma non è stata usata, vale l'ora di firma dichiarata: ${p.detailIt ?? p.detail}.`,
  }),
  signature_not_qualified: entry<{ detail: string; detailIt?: string }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §5: policy requireQualified; eIDAS art. 3(12) and 25(2): a qualified electronic signature',
      it: 'Specifica Filiera §5: criterio requireQualified; eIDAS artt. 3(12) e 25(2): firma elettronica qualificata',
    },
    en: (p) => `The committente's signature is not a qualified electronic signature, which this policy requires: ${p.detail}.`,
    it: (p) => `La firma del committente non è una firma elettronica qualificata, richiesta da questo criterio: ${p.detailIt ?? p.detail}.`,
  }),
  signing_time_claimed: entry({
    severity: 'info',
    rule: {
      en: 'eIDAS art. 41-42: only a qualified timestamp proves a time',
      it: 'eIDAS artt. 41-42: solo una marca temporale qualificata prova l\'ora',
    },
    en: () => 'The signing time is the signer\'s own claim: the signature carries no RFC 3161 timestamp.',
    it: () => 'L\'ora di firma è dichiarata dal firmatario: la firma non ha una marca temporale RFC 3161.',
  }),

  // ---- declarations --------------------------------------------------------------------------------------------
  rpo_check_stale: entry<{ date: string; days: number; max: number }>({
    severity: 'reject',
    rule: {
      en: 'DPR 26/2022: an RPO check is valid for 15 days',
      it: 'DPR 26/2022: una verifica nel Registro delle Opposizioni vale 15 giorni',
    },
    en: (p) => `The last RPO check (${p.date}) is ${p.days} days old; a check is valid for ${p.max} days.`,
    it: (p) => `L'ultima verifica RPO (${p.date}) risale a ${p.days} giorni fa; una verifica vale ${p.max} giorni.`,
  }),
  rpo_check_future: entry<{ date: string }>({
    severity: 'reject',
    rule: {
      en: 'DPR 26/2022: an RPO check is valid for 15 days',
      it: 'DPR 26/2022: una verifica nel Registro delle Opposizioni vale 15 giorni',
    },
    en: (p) => `The last RPO check is dated in the future (${p.date}).`,
    it: (p) => `La data dell'ultima verifica RPO è nel futuro (${p.date}).`,
  }),
  collection_period_future: entry<{ to: string }>({
    severity: 'reject',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 6: consent with an unalterable date',
      it: 'Codice di condotta telemarketing 2024 art. 6: consenso con data certa e immodificabile',
    },
    en: (p) => `The collection period ends in the future (${p.to}): consents not yet collected cannot be attested.`,
    it: (p) => `Il periodo di raccolta termina nel futuro (${p.to}): non si possono attestare consensi non ancora raccolti.`,
  }),
  collection_period_inverted: entry<{ from: string; to: string }>({
    severity: 'reject',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 6: consent with an unalterable date',
      it: 'Codice di condotta telemarketing 2024 art. 6: consenso con data certa e immodificabile',
    },
    en: (p) => `The collection period starts (${p.from}) after it ends (${p.to}).`,
    it: (p) => `Il periodo di raccolta inizia (${p.from}) dopo la sua fine (${p.to}).`,
  }),
  attestation_stale: entry<{ date: string; days: number; max: number; basis: string }>({
    severity: 'reject',
    rule: {
      en: 'Filiera specification §5: an attestation is fresh for 30 days',
      it: 'Specifica Filiera §5: una dichiarazione vale 30 giorni',
    },
    en: (p) => `The attestation was signed ${p.days} days ago (${p.date}, ${p.basis}); it may be at most ${p.max} days old.`,
    it: (p) => `La dichiarazione è stata firmata ${p.days} giorni fa (${p.date}, ${p.basis}); può avere al massimo ${p.max} giorni.`,
  }),
  attestation_undated: entry({
    severity: 'review',
    rule: {
      en: 'Filiera specification §5: an attestation is fresh for 30 days',
      it: 'Specifica Filiera §5: una dichiarazione vale 30 giorni',
    },
    en: () => 'The attestation carries neither a signing time nor a readable place and date: its age cannot be checked.',
    it: () => 'La dichiarazione non riporta né un\'ora di firma né luogo e data leggibili: non se ne può verificare l\'età.',
  }),
  extra_eu_transfer: entry<{ details: string }>({
    severity: 'review',
    rule: {
      en: 'GDPR art. 44 ff.; Codice di condotta telemarketing 2024 art. 6: transfers outside the EU',
      it: 'GDPR artt. 44 ss.; Codice di condotta telemarketing 2024 art. 6: trasferimenti extra UE',
    },
    en: (p) => `The attestation declares a transfer outside the EU (${p.details}): safeguards must be checked by a person.`,
    it: (p) => `La dichiarazione indica un trasferimento extra UE (${p.details}): le garanzie vanno verificate da una persona.`,
  }),
  legal_basis_not_allowed: entry<{ basis: string; allowed: string }>({
    severity: 'review',
    rule: {
      en: 'GDPR art. 6(1)(a) and 7(1): telemarketing rests on documented consent',
      it: 'GDPR artt. 6(1)(a) e 7(1): il telemarketing si fonda su un consenso documentato',
    },
    en: (p) => `The declared legal basis is "${p.basis}", not one of ${p.allowed}: a person must judge it.`,
    it: (p) => `La base giuridica dichiarata è "${p.basis}", non tra quelle ammesse (${p.allowed}): va valutata da una persona.`,
  }),

  // ---- the consent sample (docs/consent-sampling.md) -------------------------------------------------------------------------
  consent_sample_defects: entry<{ defective: number; sampled: number; rows: string }>({
    severity: 'review',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 6.1.a: consents documented with date and origin, verified on a representative sample',
      it: 'Codice di condotta telemarketing 2024 art. 6.1.a: consensi documentati con data e origine, verificati su un campione significativamente rappresentativo',
    },
    en: (p) =>
      `${p.defective} of the ${p.sampled} sampled consents are not documented as required (list rows ${p.rows}): a person must judge the evidence before the list is released.`,
    it: (p) =>
      `${p.defective} dei ${p.sampled} consensi del campione non sono documentati come richiesto (righe della lista ${p.rows}): le evidenze vanno valutate da una persona prima della consegna.`,
  }),
  consent_sample_failed: entry<{ defective: number; sampled: number; percent: string; limit: number; rows: string }>({
    severity: 'reject',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 6.1.a: consents documented with date and origin, verified on a representative sample',
      it: 'Codice di condotta telemarketing 2024 art. 6.1.a: consensi documentati con data e origine, verificati su un campione significativamente rappresentativo',
    },
    en: (p) =>
      `${p.defective} of the ${p.sampled} sampled consents (${p.percent}%, more than ${p.limit}%) are not documented as required (list rows ${p.rows}): the list's consents cannot be shown.`,
    it: (p) =>
      `${p.defective} dei ${p.sampled} consensi del campione (${p.percent}%, oltre il ${p.limit}%) non sono documentati come richiesto (righe della lista ${p.rows}): i consensi della lista non sono dimostrabili.`,
  }),
  consent_evidence_overdue: entry<{ hours: number; requestedAt: string }>({
    severity: 'reject',
    rule: {
      en: 'Codice di condotta telemarketing 2024 art. 6.1.a: consents documented with date and origin, verified on a representative sample',
      it: 'Codice di condotta telemarketing 2024 art. 6.1.a: consensi documentati con data e origine, verificati su un campione significativamente rappresentativo',
    },
    en: (p) =>
      `No consent evidence arrived within ${p.hours} hours of the sample's request (${p.requestedAt}): the list's consents cannot be shown.`,
    it: (p) =>
      `Le evidenze dei consensi non sono arrivate entro ${p.hours} ore dalla richiesta del campione (${p.requestedAt}): i consensi della lista non sono dimostrabili.`,
  }),
} as const;

export type FindingCode = keyof typeof catalogue;
type ParamsOf<C extends FindingCode> = (typeof catalogue)[C] extends Entry<infer P> ? P : never;

/** Builds the finding for a rule of the catalogue. `severity` overrides the default (e.g. OCR doubts). */
export function finding<C extends FindingCode>(
  code: C,
  params: ParamsOf<C>,
  extra: { field?: string; severity?: Severity } = {},
): Finding {
  const e = catalogue[code] as unknown as Entry<ParamsOf<C>>;
  const result: Finding = {
    code,
    severity: extra.severity ?? e.severity,
    message: sentence(e.en(params)),
    messageIt: sentence(e.it(params)),
    rule: e.rule.en,
  };
  if (extra.field !== undefined) result.field = extra.field;
  return result;
}

/** A detail that is itself a sentence ("...TIFF).") must not end the message with two stops. */
function sentence(message: string): string {
  return message.replace(/([.!?])\.$/, '$1');
}

/**
 * A finding's rule in the reader's language, from this catalogue; a code the catalogue does not know (a finding
 * recorded by an older version) keeps the rule it was recorded with.
 */
export function legalReference(code: string, recorded: string | undefined, language: 'it' | 'en'): string | undefined {
  const e = (catalogue as Record<string, { rule: { en: string; it: string } }>)[code];
  return e ? e.rule[language] : recorded;
}
