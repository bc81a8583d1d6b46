/**
 * Revocation data fetched online (docs/configuration.md, `revocation.fetch`; docs/verdict-rules.md): for each
 * certificate of a signature's path, its issuer's OCSP responder (authority information access) is asked first, then
 * its CRL distribution points. What comes back is checked before it is used or cached (a CRL the issuer signed; an
 * OCSP answer about this certificate, signed by the issuer or a responder it authorised, current), then handed to the
 * verifier exactly as revocation data carried in a signature. Nothing here blocks a verdict for long: the whole lookup
 * has a budget, every fault is a sentence (URL and cause) in the report, and the status is then unknown.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type {
  FetchedRevocation,
  RevocationCache,
  RevocationFetcher,
  RevocationLookup,
  RevocationRequest,
  RevocationSubject,
} from '../ports/revocation-fetcher.js';
import { crlFromFile } from '../config.js';
import { certFromDer, type Cert } from './certificates.js';
import { ocspAnswers, ocspRequest, ocspResponseStatus, parseOcsp } from './ocsp.js';
import { crlOfIssuer, revocationSubjectKey, viewCrl } from './revocation.js';

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const OCSP_METHOD = '1.3.6.1.5.5.7.48.1';

/** docs/configuration.md: the whole lookup of one verification. */
export const DEFAULT_BUDGET_MS = 5_000;
/** Nothing fetched is kept longer than this, whatever its nextUpdate: a CA may publish early. */
export const MAX_CACHE_MS = 24 * 3_600_000;
/** An OCSP answer without nextUpdate, or a CRL already past its nextUpdate, is kept this long. */
export const SHORT_CACHE_MS = 10 * 60_000;
/** Clock skew allowed between a responder and this machine. */
const SKEW_MS = 5 * 60_000;

/** The http(s) CRL distribution points and OCSP responders a certificate names (LDAP and other schemes are not used). */
export function revocationUrls(cert: Cert): { crl: string[]; ocsp: string[] } {
  const out = { crl: [] as string[], ocsp: [] as string[] };
  const web = (name: pkijs.GeneralName) => (name.type === 6 && typeof name.value === 'string' && /^https?:\/\//i.test(name.value) ? [name.value] : []);
  for (const ext of cert.pk.extensions ?? []) {
    try {
      const schema = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
      if (ext.extnID === CRL_DISTRIBUTION_POINTS) {
        for (const point of new pkijs.CRLDistributionPoints({ schema }).distributionPoints) {
          const names = point.distributionPoint;
          if (Array.isArray(names)) out.crl.push(...names.flatMap(web));
        }
      } else if (ext.extnID === AUTHORITY_INFO_ACCESS) {
        for (const access of new pkijs.InfoAccess({ schema }).accessDescriptions) {
          if (access.accessMethod === OCSP_METHOD) out.ocsp.push(...web(access.accessLocation));
        }
      }
    } catch {
      // An unreadable extension names no URL.
    }
  }
  return { crl: [...new Set(out.crl)], ocsp: [...new Set(out.ocsp)] };
}

type Attempt = { der: Uint8Array; cached: boolean } | { error: string };

export interface OnlineRevocationOptions {
  fetcher: RevocationFetcher;
  cache?: RevocationCache;
  now?: () => Date;
  /** The whole lookup's budget (default 5 s). */
  budgetMs?: number;
}

/** The RevocationLookup the verifier is given when `revocation.fetch` is true. */
export class OnlineRevocation implements RevocationLookup {
  private readonly now: () => Date;
  private readonly budgetMs: number;

  constructor(private readonly options: OnlineRevocationOptions) {
    this.now = options.now ?? (() => new Date());
    this.budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  }

  async lookup(subjects: RevocationSubject[]): Promise<FetchedRevocation> {
    const result: FetchedRevocation = { crls: [], ocsps: [], origins: new Map(), problems: new Map() };
    let closed = false;
    const controller = new AbortController();
    // One request per URL and question, however many subjects share it (a CA's CRL serves all its certificates).
    const inFlight = new Map<string, Promise<Attempt>>();
    const pending = new Map<string, string>();
    const tried = new Map<string, { url?: string; cause: string }[]>();

    const one = async (subject: RevocationSubject, key: string): Promise<void> => {
      const cert = certFromDer(subject.certificate);
      const issuer = certFromDer(subject.issuer);
      const problems = tried.get(key)!;
      const done = (kind: 'crl' | 'ocsp', url: string, der: Uint8Array, cached: boolean) => {
        if (closed) return;
        (kind === 'crl' ? result.crls : result.ocsps).push(der);
        result.origins.set(der, { url, cached });
        pending.delete(key);
      };
      const fail = () => {
        if (closed) return;
        result.problems.set(key, problems);
        pending.delete(key);
      };
      if (!cert || !issuer) {
        problems.push({ cause: 'the certificate or its issuer is unreadable' });
        return fail();
      }
      const urls = revocationUrls(cert);
      if (urls.crl.length === 0 && urls.ocsp.length === 0) {
        problems.push({ cause: 'the certificate names no http(s) CRL distribution point or OCSP responder' });
        return fail();
      }
      for (const url of urls.ocsp) {
        pending.set(key, url);
        const request = ocspRequest(cert, issuer);
        const cacheKey = `ocsp ${url} ${createHash('sha256').update(request).digest('hex')}`;
        const attempt = await this.shared(inFlight, cacheKey, () => this.attempt({ kind: 'ocsp', url, request }, cacheKey, controller.signal, (der) => this.checkOcsp(der, cert, issuer)));
        if ('der' in attempt) return done('ocsp', url, attempt.der, attempt.cached);
        problems.push({ url, cause: attempt.error });
      }
      for (const url of urls.crl) {
        pending.set(key, url);
        const cacheKey = `crl ${url}`;
        const attempt = await this.shared(inFlight, cacheKey, () => this.attempt({ kind: 'crl', url }, cacheKey, controller.signal, (der) => this.checkCrl(der, issuer)));
        // The same URL may serve several issuers' certificates only if they share a CA: the issuer is checked per subject.
        if ('der' in attempt) {
          if (crlOfIssuer(attempt.der, issuer)) return done('crl', url, attempt.der, attempt.cached);
          problems.push({ url, cause: `the CRL there is not signed by "${issuer.x509.subject.split('\n').join(', ')}"` });
          continue;
        }
        problems.push({ url, cause: attempt.error });
      }
      fail();
    };

    const unique = new Map(subjects.map((s) => [revocationSubjectKey(s.certificate, s.issuer), s] as const));
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.budgetMs);
      timer.unref?.();
    });
    const all = [...unique].map(([key, subject]) => {
      tried.set(key, []);
      return one(subject, key).catch((err: unknown) => {
        // A fault in this code, not in an answer: that certificate's status stays unknown, saying why.
        if (closed) return;
        tried.get(key)!.push({ cause: String((err as Error)?.message ?? err) });
        result.problems.set(key, tried.get(key)!);
        pending.delete(key);
      });
    });
    await Promise.race([Promise.all(all), budget]);
    clearTimeout(timer);
    closed = true;
    controller.abort();
    for (const [key, url] of pending) {
      // What was tried before the budget ran out, then the request it ran out on.
      const problems = [...(tried.get(key) ?? []), { url, cause: `no answer within the ${this.budgetMs / 1000} s a verification allows` }];
      result.problems.set(key, problems);
    }
    return result;
  }

  private shared(inFlight: Map<string, Promise<Attempt>>, key: string, make: () => Promise<Attempt>): Promise<Attempt> {
    let promise = inFlight.get(key);
    if (!promise) {
      promise = make().catch((err: unknown) => ({ error: String((err as Error)?.message ?? err) }));
      inFlight.set(key, promise);
    }
    return promise;
  }

  /** From the cache when it holds a usable answer, else from the network; a usable answer is cached until it goes stale. */
  private async attempt(request: RevocationRequest, cacheKey: string, signal: AbortSignal, check: (der: Uint8Array) => { expiresAt: Date } | { error: string }): Promise<Attempt> {
    const cache = this.options.cache;
    const cached = await cache?.get(cacheKey, this.now()).catch(() => undefined);
    if (cached && 'expiresAt' in check(cached.der)) return { der: cached.der, cached: true };
    const response = await this.options.fetcher.fetch(request, signal);
    if ('error' in response) return response;
    const der = request.kind === 'crl' ? crlFromFile(response.der) : response.der;
    if (!der) return { error: 'the answer is not a CRL (neither DER nor PEM)' };
    const checked = check(der);
    if ('error' in checked) return checked;
    // A cache that fails is a cache miss next time, never a verdict's problem.
    await cache?.put(cacheKey, der, checked.expiresAt).catch(() => undefined);
    return { der, cached: false };
  }

  /** A CRL its issuer signed (checked again per subject, as a URL may be shared); kept until its nextUpdate, at most a day. */
  private checkCrl(der: Uint8Array, issuer: Cert): { expiresAt: Date } | { error: string } {
    const now = this.now();
    if (!viewCrl(der)) return { error: 'the answer is not a readable CRL' };
    const view = crlOfIssuer(der, issuer);
    if (!view) return { error: `the CRL there is not signed by "${issuer.x509.subject.split('\n').join(', ')}"` };
    if (view.thisUpdate.getTime() > now.getTime() + SKEW_MS) return { error: `the CRL claims to be issued in the future (${view.thisUpdate.toISOString()})` };
    return { expiresAt: expiry(now, view.nextUpdate) };
  }

  /** An OCSP answer about `cert` that the issuer vouches for, current at `now`; kept until its nextUpdate. */
  private checkOcsp(der: Uint8Array, cert: Cert, issuer: Cert): { expiresAt: Date } | { error: string } {
    const now = this.now();
    const status = ocspResponseStatus(der);
    if (status !== undefined && status !== 'successful') return { error: `the responder answered "${status}"` };
    const response = parseOcsp(der);
    if (!response) return { error: 'the answer is not an OCSP response' };
    const answers = ocspAnswers(cert, issuer, [response]);
    if (answers.length === 0) return { error: 'the response does not answer for this certificate, or is not signed by its issuer or a responder the issuer authorised for OCSP signing' };
    const answer = answers.find((a) => a.status !== 'unknown');
    if (!answer) return { error: 'the responder does not know the certificate ("unknown")' };
    if (answer.thisUpdate.getTime() > now.getTime() + SKEW_MS) return { error: `the answer claims to be issued in the future (${answer.thisUpdate.toISOString()})` };
    if (answer.nextUpdate && answer.nextUpdate.getTime() < now.getTime() - SKEW_MS) return { error: `the answer is stale (its nextUpdate ${answer.nextUpdate.toISOString()} has passed)` };
    return { expiresAt: expiry(now, answer.nextUpdate) };
  }
}

function expiry(now: Date, nextUpdate: Date | undefined): Date {
  const until = nextUpdate && nextUpdate.getTime() > now.getTime() ? nextUpdate.getTime() : now.getTime() + SHORT_CACHE_MS;
  return new Date(Math.min(until, now.getTime() + MAX_CACHE_MS));
}
