import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoEngine, startDynamoEngine } from '../../../infra/local/engines/dynamodb.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/engines/free-port.js';
import { ENGINE_START_TIMEOUT_MS } from '../../fixtures/engines.js';

/**
 * DynamoDB Local has no bind option and its own main listens on every interface: the engine is started through a
 * launcher that binds it to 127.0.0.1. Reachable on loopback, not from the machine's other addresses, and the
 * kernel's own table of listening sockets says loopback. Its folder on disk is private to the user.
 */
let dataDir: string;
let engine: DynamoEngine;
let port: number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'filiera-ddb-loopback-'));
  engine = await startDynamoEngine({ dataDir, startTimeoutMs: ENGINE_START_TIMEOUT_MS });
  port = Number(new URL(engine.endpoint).port);
}, ENGINE_START_TIMEOUT_MS);

afterAll(async () => {
  await engine?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Resolves 'connected' or the error code of a TCP connection attempt. */
function tryConnect(host: string, to: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: to, timeout: 5000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

/** Local addresses of the sockets listening on a port, from /proc/net/tcp and tcp6 (hex, as the kernel writes them). */
async function listeningAddresses(to: number): Promise<string[]> {
  const hexPort = to.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, localPort] = (fields[1] ?? '').split(':');
      if (localPort === hexPort && fields[3] === '0A') out.push(address!);
    }
  }
  return out;
}

describe('DynamoDB Local on the embedded stack', () => {
  it('answers on 127.0.0.1', async () => {
    const client = new DynamoDBClient({ endpoint: engine.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('listens on loopback only, as the kernel reports it', async () => {
    const addresses = await listeningAddresses(port);
    expect(addresses.length).toBeGreaterThan(0);
    // IPv4 127.0.0.1 is 0100007F; on an IPv6 socket it is ::ffff:127.0.0.1. Every interface would be all zeros.
    for (const address of addresses) expect(['0100007F', '0000000000000000FFFF00000100007F']).toContain(address);
  });

  it("refuses connections to the machine's other addresses", async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && !a.address.startsWith('fe80:'))
      .map((a) => a!.address);
    for (const address of others) expect([address, await tryConnect(address, port)]).toEqual([address, 'ECONNREFUSED']);
  });

  it('keeps its database in a folder only the user can read', async () => {
    const client = new DynamoDBClient({ endpoint: engine.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'private',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } finally {
      client.destroy();
    }
    expect((await stat(path.join(dataDir, 'dynamodb'))).mode & 0o777).toBe(0o700);
    const db = await stat(path.join(dataDir, 'dynamodb', 'shared-local-instance.db'));
    expect(db.size).toBeGreaterThan(0);
    expect(db.mode & 0o777).toBe(0o600);
  });
});
