/**
 * Prints a configuration file in the inline format the functions read (trust anchors as PEM text), to store in an
 * SSM String parameter for `-c filieraConfigParameter=NAME`:
 *
 *   npx tsx infra/cdk/print-config.ts config/prod.json
 */
import { checkInlineSize, inlineConfiguration } from './settings.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npx tsx infra/cdk/print-config.ts CONFIG.json (there is no default: the demo configuration is not deployed)\n');
  process.exit(2);
}
try {
  const json = await inlineConfiguration(file);
  checkInlineSize(json, file);
  process.stdout.write(`${json}\n`);
} catch (err) {
  process.stderr.write(`print-config: ${(err as Error).message}\n`);
  process.exit(1);
}
