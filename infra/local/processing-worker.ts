import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../../shared/config.js';
import type { Logger } from '../../shared/pipeline/deps.js';
import { givenDeps } from '../../functions/lib/deps-source.js';
import { createHandler } from '../../functions/on-upload.js';
import { localDeps, type LocalWiring } from './local-deps.js';
import type { FromWorker, ToWorker } from './processing-thread.js';

/**
 * The embedded stack's processing thread: the upload handler, built here with this thread's own dependencies, as a
 * Lambda container builds its own. Messages in: one SQS event each; out: the handler's batch response.
 */
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const log: Logger = {
  info: (message, data) => post({ kind: 'log', level: 'info', message, ...(data ? { data } : {}) }),
  warn: (message, data) => post({ kind: 'log', level: 'warn', message, ...(data ? { data } : {}) }),
  error: (message, data) => post({ kind: 'log', level: 'error', message, ...(data ? { data } : {}) }),
};

const wiring = (workerData as { data: LocalWiring }).data;
const deps = await localDeps(wiring, await loadConfig(wiring.configFile), log);
const handler = createHandler(givenDeps(deps));

port.on('message', (message: ToWorker) => {
  handler(message.event, {} as never).then(
    (response) => post({ kind: 'done', id: message.id, response }),
    (err: unknown) => post({ kind: 'failed', id: message.id, error: String((err as Error)?.stack ?? err) }),
  );
});
post({ kind: 'ready' });
