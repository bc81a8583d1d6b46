/**
 * The local servers listen on 127.0.0.1 only, but a web page can still reach them by DNS rebinding: a name of the
 * attacker's that first resolves to the attacker's server, then to 127.0.0.1, makes the browser treat the local
 * server as the page's own origin. Such a request carries the attacker's name in `Host`: only the addresses the
 * server is actually bound to are accepted.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const value = host.trim().toLowerCase();
  return value === `127.0.0.1:${port}` || value === `localhost:${port}`;
}

/** The port a listening server is bound to (0 before it listens). */
export function boundPort(server: { address(): unknown }): number {
  const address = server.address();
  return typeof address === 'object' && address !== null && 'port' in address ? Number((address as { port: number }).port) : 0;
}
