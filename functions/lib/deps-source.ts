import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type middy from '@middy/core';
import type { PipelineDeps } from '../../shared/pipeline/deps.js';
import { depsFromEnvironment, lambdaLogger, type ScanReaderWiring } from './environment-wiring.js';

/**
 * Where a handler gets its dependencies: a function called on each invocation. Each handler file is its own
 * composition root (`export const handler = createHandler(lambdaDeps())`); the embedded stack and the tests call the
 * same `createHandler` with their own source. Nothing is process-wide, so two stacks can run in one process.
 */
export type DepsSource = (() => Promise<PipelineDeps>) & {
  /** In Lambda: the Powertools logger, given the invocation's context by the handler's middleware. */
  lambdaLogger?: PowertoolsLogger;
};

/** A fixed set of dependencies (the embedded stack, tests). */
export const givenDeps =
  (deps: PipelineDeps): DepsSource =>
  () =>
    Promise.resolve(deps);

/**
 * Lambda's dependencies, built from the function's environment on the first invocation and kept for the container's
 * life (SDK clients are built once). A failed build is not kept: the next invocation tries again.
 * `scanReader`: only the functions that read attestations pass one (functions/lib/textract-wiring.ts).
 */
export function lambdaDeps(scanReader?: ScanReaderWiring): DepsSource {
  let built: Promise<PipelineDeps> | undefined;
  const source: DepsSource = () => {
    built ??= depsFromEnvironment(process.env, scanReader).catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    return built;
  };
  source.lambdaLogger = lambdaLogger;
  return source;
}

/** The middy middlewares every handler carries in Lambda (none on the embedded stack). */
export function lambdaMiddlewares(source: DepsSource): middy.MiddlewareObj[] {
  return source.lambdaLogger ? [injectLambdaContext(source.lambdaLogger, { resetKeys: true })] : [];
}
