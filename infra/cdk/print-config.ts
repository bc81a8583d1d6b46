/**
 * Prints a configuration file in the inline format the functions read (trust anchors as PEM text), to store in an
 * SSM String parameter for `-c filieraConfigParameter=NAME`:
 *
 *   npx tsx infra/cdk/print-config.ts config/prod.json
 */
import { checkInlineSize, inlineConfiguration } from './settings.js';

const file = process.argv[2] ?? 'config/demo.json';
const json = await inlineConfiguration(file);
checkInlineSize(json, file);
process.stdout.write(`${json}\n`);
