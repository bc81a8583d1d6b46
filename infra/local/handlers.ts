import type { RouteHandlerName } from '../../shared/api/routes.js';
import type { ApiHandler, RouteFactory } from '../../functions/lib/http.js';
import type { DepsSource } from '../../functions/lib/deps-source.js';

export type { ApiHandler };
type HandlerName = RouteHandlerName | 'openapi';

/**
 * The API's handler modules, each loaded on first use as Lambda would load its function, and built with the embedded
 * stack's dependencies through the module's own `createHandler` (the same factory its Lambda `handler` is built with).
 */
const factories: Record<RouteHandlerName, () => Promise<{ createHandler: RouteFactory }>> = {
  'create-intake': () => import('../../functions/create-intake.js'),
  'renew-upload-links': () => import('../../functions/renew-upload-links.js'),
  'list-intakes': () => import('../../functions/list-intakes.js'),
  'get-intake': () => import('../../functions/get-intake.js'),
  'attestation-template': () => import('../../functions/attestation-template.js'),
  'intake-documents': () => import('../../functions/intake-documents.js'),
  'intake-audit': () => import('../../functions/intake-audit.js'),
  'consent-sample': () => import('../../functions/consent-sample.js'),
  'evidence-link': () => import('../../functions/evidence-link.js'),
  'list-releases': () => import('../../functions/list-releases.js'),
  'get-release': () => import('../../functions/get-release.js'),
  'review-queue': () => import('../../functions/review-queue.js'),
  'review-decision': () => import('../../functions/review-decision.js'),
  trace: () => import('../../functions/trace.js'),
  'list-call-centers': () => import('../../functions/list-call-centers.js'),
};

/** Finds an API handler by name, built once per stack with `deps`. */
export type ApiHandlers = (name: HandlerName) => Promise<ApiHandler>;

export function localApiHandlers(deps: DepsSource): ApiHandlers {
  const built = new Map<HandlerName, Promise<ApiHandler>>();
  return (name) => {
    let handler = built.get(name);
    if (!handler) {
      handler =
        name === 'openapi'
          ? import('../../functions/openapi.js').then((m) => m.handler as unknown as ApiHandler)
          : factories[name]().then((m) => m.createHandler(deps));
      built.set(name, handler);
    }
    return handler;
  };
}
