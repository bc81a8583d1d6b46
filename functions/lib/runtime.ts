import type { PipelineDeps } from '../../shared/pipeline/deps.js';
import { depsFromEnvironment, type ScanReaderWiring } from './environment-wiring.js';

/**
 * The handlers' one way to reach the outside world. In Lambda the dependencies are built once per container from
 * the function's environment (AWS SDK clients); the embedded stack installs its own wiring before it serves. The
 * handlers are the same code either way.
 */
let current: Promise<PipelineDeps> | undefined;

/** `scanReader`: only the functions that read attestations pass one (functions/lib/textract-wiring.ts). */
export function pipelineDeps(scanReader?: ScanReaderWiring): Promise<PipelineDeps> {
  current ??= depsFromEnvironment(process.env, scanReader);
  return current;
}

/** Used by the embedded stack (and tests) to wire the handlers to local engines. */
export function installPipelineDeps(deps: PipelineDeps): void {
  current = Promise.resolve(deps);
}
