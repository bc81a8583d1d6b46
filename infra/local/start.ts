import path from 'node:path';

// The machines here run Node 20 on purpose (Lambda runs Node 22); the SDK's notice about that is noise for users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, prepareLocalConfig } from './demo-setup.js';
import { demoUsers } from './local-identity.js';
import { ensurePrivateDir, restrictUmask } from './private-files.js';
import { DEFAULT_PORT, startEmbeddedStack } from './stack.js';

/**
 * `npm start -- [--config FILE] [--data DIR] [--port N]`: the whole pipeline on the embedded stack, on 127.0.0.1,
 * until stopped (Ctrl-C). The data folder holds contact lists and keys: it and everything in it is private to the
 * user (0700 folders, 0600 files), the engines' files included. With the demo configuration, the demo PKI is made in
 * it at first start (infra/local/demo-setup.ts).
 */
restrictUmask();
const USAGE = 'npm start -- [--config FILE] [--data DIR] [--port N]';
let values: { config?: string; data?: string; port?: string; help?: boolean };
try {
  values = parseArgs({
    options: {
      config: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  console.error(`filiera: ${(err as Error).message.split('\n')[0]}\nusage: ${USAGE}`);
  process.exit(2);
}

if (values.help) {
  console.log(`${USAGE}\n\nDefaults: --config config/demo.json (or FILIERA_CONFIG), --data .filiera-data, --port 4510.`);
  process.exit(0);
}

const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`filiera: --port ${values.port}: not a port number`);
  process.exit(2);
}
const configName = values.config ?? process.env.FILIERA_CONFIG ?? 'config/demo.json';
const dataDir = values.data ?? DEFAULT_DATA_DIR;

console.log('Starting Filiera on the embedded stack (S3-compatible engine, DynamoDB Local)...');
const local = await ensurePrivateDir(dataDir)
  .then(() => prepareLocalConfig({ configFile: values.config, dataDir }))
  .catch((err: unknown) => {
    console.error(`filiera: cannot start: ${(err as Error).message}`);
    process.exit(1);
  });
const stack = await startEmbeddedStack({ configFile: local.configFile, dataDir, port }).catch((err: unknown) => {
  console.error(`filiera: cannot start: ${(err as Error).message}`);
  process.exit(1);
});

stack.console.warm();
const lines = [
  '',
  `Filiera is running at ${stack.baseUrl}`,
  `  web console      ${stack.baseUrl}/  (sign in as a demo user)`,
  `  API description  ${stack.baseUrl}/openapi.json`,
  `  data             ${path.resolve(dataDir)}`,
  `  configuration    ${path.resolve(configName)}`,
  ...(local.demoPki ? [`  demo CA          ${local.demoPki.caPath}  (made here at first start; verify --trust it)`] : []),
  '',
  'Demo users (bearer tokens, valid 12 hours):',
];
for (const user of demoUsers(stack.config.config)) {
  lines.push(`  ${user.label}:`, `    ${await stack.identity.issue(user.claims)}`);
}
const flags = [values.config ? `--config ${values.config}` : '', values.data ? `--data ${values.data}` : '', port !== DEFAULT_PORT ? `--url ${stack.baseUrl}` : '']
  .filter(Boolean)
  .join(' ');
lines.push(
  '',
  'Submit the sample intakes (one released, one rejected, one sent to review), in another terminal:',
  `  npm run demo${flags ? ` -- ${flags}` : ''}`,
  '',
  'Stop with Ctrl-C.',
);
console.log(lines.join('\n'));

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping...');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
