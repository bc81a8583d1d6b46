import type { DateRange } from '../list/model.js';
import { italianDate } from '../verdict/dates.js';
import type { ConsentSampleRow } from './draw.js';
import type { EvidenceRecord } from './evidence.js';
import { classifyIp, type IpClass } from './ip.js';

/**
 * The checks of each sampled row against the evidence (docs/consent-sampling.md; Codice di condotta telemarketing 2024
 * art. 6.1.a: a consent is documented when its date and origin are fixed, e.g. the IP address and time of an online
 * consent with a notification SMS, or a double opt-in). Each failure is a defect naming the row and the check.
 */

export const consentChecks = ['record', 'consent_period', 'consent_date', 'public_ip', 'notice', 'confirmation'] as const;
/**
 * record: a record exists for the row's number; consent_period: the consent time falls in the attested collection
 * period; consent_date: ... and on the row's consent date, when the list has one; public_ip: an online record (URL
 * source or an IP) has a public IP address; notice: a notice is named; confirmation: a confirmation exists, after the
 * consent and within 30 days.
 */
export type ConsentCheck = (typeof consentChecks)[number];
/** skipped: the check does not apply (no period attested, no date in the list, offline collection, no record). */
export type CheckOutcome = 'passed' | 'failed' | 'skipped';

export interface ConsentDefect {
  /** The sampled row: 1-based data row of the uploaded list. */
  row: number;
  check: ConsentCheck;
  message: string;
  messageIt: string;
}

export interface CheckedSampleRow extends ConsentSampleRow {
  /** The evidence file's data row that was checked, null when there is none for this number. */
  evidenceRow: number | null;
  checks: Record<ConsentCheck, CheckOutcome>;
}

export interface ConsentSampleReport {
  seed: string;
  rows: CheckedSampleRow[];
  defects: ConsentDefect[];
}

export interface ConsentCheckInput {
  seed: string;
  /** The drawn sample, in row order. */
  rows: readonly ConsentSampleRow[];
  /** The evidence records (at least those for the sampled numbers). */
  evidence: readonly EvidenceRecord[];
  /** The attested collection period; null when the attestation gives none (the period check is then skipped). */
  collectionPeriod: DateRange | null;
}

/** Codice di condotta telemarketing 2024 art. 6.1.a: the confirmation (SMS, double opt-in) follows the consent closely. */
export const CONFIRMATION_MAX_DAYS = 30;
const CONFIRMATION_MAX_MS = CONFIRMATION_MAX_DAYS * 86_400_000;

const URL_SOURCE = /^(?:https?:\/\/\S+|www\.\S+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?:[/?#]\S*)?)$/i;

/** A source that is a web address (with or without scheme): the consent was collected online. */
export function isUrlSource(source: string | null): boolean {
  return source !== null && URL_SOURCE.test(source.trim());
}

const ipClassEn: Record<IpClass, string> = {
  public: 'public',
  unspecified: 'an unspecified address',
  private: 'a private network address',
  loopback: 'a loopback address',
  link_local: 'a link-local address',
  cgnat: 'a carrier-grade NAT (shared) address',
  documentation: 'an address reserved for documentation',
  benchmarking: 'an address reserved for benchmarking',
  multicast: 'a multicast address',
  unique_local: 'a unique local (private) IPv6 address',
  reserved: 'a reserved address',
};
const ipClassIt: Record<IpClass, string> = {
  public: 'pubblico',
  unspecified: 'un indirizzo non specificato',
  private: 'un indirizzo di rete privata',
  loopback: 'un indirizzo di loopback',
  link_local: 'un indirizzo link-local',
  cgnat: 'un indirizzo condiviso (CGNAT)',
  documentation: 'un indirizzo riservato alla documentazione',
  benchmarking: 'un indirizzo riservato ai test di prestazione',
  multicast: 'un indirizzo multicast',
  unique_local: 'un indirizzo IPv6 privato (unique local)',
  reserved: 'un indirizzo riservato',
};

interface Failure {
  check: ConsentCheck;
  en: string;
  it: string;
}

interface Judgement {
  checks: Record<ConsentCheck, CheckOutcome>;
  failures: Failure[];
}

function judge(row: ConsentSampleRow, record: EvidenceRecord, period: DateRange | null): Judgement {
  const checks: Record<ConsentCheck, CheckOutcome> = {
    record: 'passed',
    consent_period: 'skipped',
    consent_date: 'skipped',
    public_ip: 'skipped',
    notice: 'passed',
    confirmation: 'passed',
  };
  const failures: Failure[] = [];
  const fail = (check: ConsentCheck, en: string, it: string) => {
    checks[check] = 'failed';
    failures.push({ check, en, it });
  };
  const consent = record.consentAt;

  if (period !== null) {
    if (consent === null) {
      fail('consent_period', 'the record gives no consent time', 'il record non indica l\'ora del consenso');
    } else if (consent.romeDay < period.from || consent.romeDay > period.to) {
      fail(
        'consent_period',
        `the consent time ${consent.text} (${italianDate(consent.romeDay)} in Italy) is outside the attested collection period ${italianDate(period.from)} - ${italianDate(period.to)}`,
        `l'ora del consenso ${consent.text} (${italianDate(consent.romeDay)} in Italia) è fuori dal periodo di raccolta dichiarato ${italianDate(period.from)} - ${italianDate(period.to)}`,
      );
    } else {
      checks.consent_period = 'passed';
    }
  }

  if (row.consentDate !== null) {
    if (consent === null) {
      fail('consent_date', `the record gives no consent time to hold against the list's consent date ${italianDate(row.consentDate)}`, `il record non indica l'ora del consenso da confrontare con la data della lista ${italianDate(row.consentDate)}`);
    } else if (consent.romeDay !== row.consentDate) {
      fail(
        'consent_date',
        `the consent time ${consent.text} is on ${italianDate(consent.romeDay)} in Italy, but the list dates the consent ${italianDate(row.consentDate)}`,
        `l'ora del consenso ${consent.text} cade il ${italianDate(consent.romeDay)} in Italia, ma la lista data il consenso ${italianDate(row.consentDate)}`,
      );
    } else {
      checks.consent_date = 'passed';
    }
  }

  if (record.ip !== null || isUrlSource(record.source)) {
    if (record.ip === null) {
      fail('public_ip', 'the consent was collected online (a web source) but the record gives no IP address', 'il consenso è stato raccolto online (fonte web) ma il record non indica l\'indirizzo IP');
    } else {
      const kind = classifyIp(record.ip);
      if (kind === 'public') {
        checks.public_ip = 'passed';
      } else {
        fail(
          'public_ip',
          `the IP address ${record.ip.text} is ${ipClassEn[kind]}, not a public address a person could have used`,
          `l'indirizzo IP ${record.ip.text} è ${ipClassIt[kind]}, non un indirizzo pubblico da cui una persona possa aver dato il consenso`,
        );
      }
    }
  }

  if (record.notice === null) fail('notice', 'the record names no notice (informativa) shown', 'il record non indica l\'informativa mostrata');

  const confirmedAt = record.confirmedAt;
  if (record.confirmation === null) {
    fail('confirmation', 'the record gives no confirmation (double opt-in, SMS, registration or form)', 'il record non indica una conferma (double opt-in, SMS, registrazione o modulo)');
  } else if (confirmedAt === null) {
    fail('confirmation', `the ${record.confirmation} confirmation has no time`, `la conferma ${record.confirmation} non ha un'ora`);
  } else if (consent === null) {
    fail('confirmation', 'the confirmation cannot be placed after the consent: the record gives no consent time', 'la conferma non si può collocare dopo il consenso: il record non indica l\'ora del consenso');
  } else if (confirmedAt.epochMs <= consent.epochMs) {
    fail(
      'confirmation',
      `the confirmation (${confirmedAt.text}) is not after the consent (${consent.text})`,
      `la conferma (${confirmedAt.text}) non è successiva al consenso (${consent.text})`,
    );
  } else if (confirmedAt.epochMs - consent.epochMs > CONFIRMATION_MAX_MS) {
    fail(
      'confirmation',
      `the confirmation (${confirmedAt.text}) came more than ${CONFIRMATION_MAX_DAYS} days after the consent (${consent.text})`,
      `la conferma (${confirmedAt.text}) è arrivata oltre ${CONFIRMATION_MAX_DAYS} giorni dopo il consenso (${consent.text})`,
    );
  }
  return { checks, failures };
}

/**
 * Checks every sampled row. A number with several evidence records is judged on the one with fewest defects (the
 * first in the file on a tie): one documented consent is enough, and a later repeat of it does not spoil it.
 */
export function checkConsentSample(input: ConsentCheckInput): ConsentSampleReport {
  const byPhone = new Map<string, EvidenceRecord[]>();
  for (const record of input.evidence) {
    const list = byPhone.get(record.phone);
    if (list === undefined) byPhone.set(record.phone, [record]);
    else list.push(record);
  }
  const rows: CheckedSampleRow[] = [];
  const defects: ConsentDefect[] = [];
  for (const row of input.rows) {
    const candidates = byPhone.get(row.phone) ?? [];
    if (candidates.length === 0) {
      rows.push({
        ...row,
        evidenceRow: null,
        checks: { record: 'failed', consent_period: 'skipped', consent_date: 'skipped', public_ip: 'skipped', notice: 'skipped', confirmation: 'skipped' },
      });
      defects.push({
        row: row.row,
        check: 'record',
        message: `Row ${row.row} (${row.phone}): the evidence file has no record for this number.`,
        messageIt: `Riga ${row.row} (${row.phone}): il file delle evidenze non ha alcun record per questo numero.`,
      });
      continue;
    }
    let best: { record: EvidenceRecord; judgement: Judgement } | null = null;
    for (const record of candidates) {
      const judgement = judge(row, record, input.collectionPeriod);
      if (best === null || judgement.failures.length < best.judgement.failures.length) best = { record, judgement };
    }
    rows.push({ ...row, evidenceRow: best!.record.row, checks: best!.judgement.checks });
    for (const f of best!.judgement.failures) {
      defects.push({
        row: row.row,
        check: f.check,
        message: `Row ${row.row} (${row.phone}), evidence row ${best!.record.row}: ${f.en}.`,
        messageIt: `Riga ${row.row} (${row.phone}), riga ${best!.record.row} delle evidenze: ${f.it}.`,
      });
    }
  }
  return { seed: input.seed, rows, defects };
}
