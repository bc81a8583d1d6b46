import * as z from 'zod';
import { loadConfig } from '../../shared/config.js';
import { DEFAULT_DATA_DIR, prepareLocalConfig } from '../../infra/local/demo-setup.js';
import { openLocalIdentity, type TokenClaims } from '../../infra/local/local-identity.js';
import { restrictUmask } from '../../infra/local/private-files.js';
import { parseFlags, UsageError } from '../cli-support.js';

const help = `filiera token --role committente|callcenter|compliance [--tenant ID | --callcenter ID] [--sub NAME]
              [--config FILE] [--data DIR] [--ttl SECONDS]

Prints one line: a bearer token the local stack (same --config and --data as npm start) accepts.`;

const Args = z.object({
  role: z.enum(['committente', 'callcenter', 'compliance'], { error: '--role must be committente, callcenter or compliance' }),
  tenant: z.string().optional(),
  callcenter: z.string().optional(),
  sub: z.string().min(1).optional(),
  config: z.string().optional(),
  data: z.string().default(DEFAULT_DATA_DIR),
  ttl: z.coerce.number().int().positive({ error: '--ttl must be a positive number of seconds' }).default(12 * 3600),
});

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    role: { type: 'string' },
    tenant: { type: 'string' },
    callcenter: { type: 'string' },
    sub: { type: 'string' },
    config: { type: 'string' },
    data: { type: 'string' },
    ttl: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const parsed = Args.safeParse(flags);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid arguments');
  const args = parsed.data;
  // The data folder holds the token signing key (and, for the demo configuration, the demo PKI): private to the user.
  restrictUmask();
  const { config } = await prepareLocalConfig({ configFile: args.config, dataDir: args.data })
    .then((local) => loadConfig(local.configFile))
    .catch((err: Error) => {
      throw new UsageError(err.message);
    });

  let claims: TokenClaims;
  if (args.role === 'committente') {
    const tenant = args.tenant ?? (config.tenants.length === 1 ? config.tenants[0]!.id : undefined);
    if (!tenant) throw new UsageError('--tenant ID is required for a committente');
    if (!config.tenants.some((t) => t.id === tenant)) throw new UsageError(`--tenant ${tenant}: not a tenant of the configuration`);
    claims = { role: 'committente', tenant, sub: args.sub ?? `demo-${tenant}` };
  } else if (args.role === 'callcenter') {
    const cc = args.callcenter ?? (config.callCenters.length === 1 ? config.callCenters[0]!.id : undefined);
    if (!cc) throw new UsageError('--callcenter ID is required for a call center');
    if (!config.callCenters.some((c) => c.id === cc)) throw new UsageError(`--callcenter ${cc}: not a call center of the configuration`);
    claims = { role: 'callcenter', callcenter: cc, sub: args.sub ?? `demo-${cc}` };
  } else {
    claims = { role: 'compliance', sub: args.sub ?? 'demo-compliance', ...(args.tenant ? { tenants: [args.tenant] } : {}) };
  }
  const identity = await openLocalIdentity(args.data);
  process.stdout.write(`${await identity.issue(claims, args.ttl)}\n`);
  return 0;
}
