import { runCli } from './cli.js';

// `filiera` (bin/filiera.mjs) and `npm run filiera` start here.
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
