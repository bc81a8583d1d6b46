import { ApiClient } from './api.js';
import type { Session, SignIn } from './auth/sign-in.js';
import { translate, type Language, type MessageKey } from './i18n.js';

/** What every view gets: words in the chosen language, the API, the session, and navigation. */
export interface App {
  language: Language;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  api: ApiClient;
  session: Session | null;
  signIn: SignIn;
  /** Goes to a console address (#/...). */
  navigate(hash: string): void;
  /** Starts a session with a token (local sign-in) and shows the role's home. */
  startSession(session: Session): void;
  formatDateTime(iso: string): string;
  formatNumber(n: number): string;
}

export function makeApp(options: {
  language: Language;
  apiBaseUrl: string;
  signIn: SignIn;
  onUnauthorized: () => void;
  navigate: (hash: string) => void;
  startSession: (session: Session) => void;
}): App {
  const locale = options.language === 'it' ? 'it-IT' : 'en-GB';
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Rome' });
  const numbers = new Intl.NumberFormat(locale);
  const app: App = {
    language: options.language,
    t: (key, params) => translate(options.language, key, params),
    session: options.signIn.current(),
    signIn: options.signIn,
    api: new ApiClient(options.apiBaseUrl, () => app.session?.token ?? null, options.onUnauthorized),
    navigate: options.navigate,
    startSession: options.startSession,
    formatDateTime: (iso) => {
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
    },
    formatNumber: (n) => numbers.format(n),
  };
  return app;
}
