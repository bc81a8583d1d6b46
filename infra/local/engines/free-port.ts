import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (the OS picks it). Someone may take it before we bind: callers retry. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Credentials the local engines accept (s3rver only knows this key pair; DynamoDB Local accepts any). */
export { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../shared/adapters/local-engines.js';
