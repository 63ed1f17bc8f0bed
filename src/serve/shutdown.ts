/**
 * Graceful shutdown with a bound. fastify's close() stops accepting and waits for every open
 * connection to finish, and Node stops enforcing its request timeout once the server is
 * closing, so one client trickling an upload would keep the process alive for ever. Requests
 * in flight get `graceMs` to finish; then the connections still open are cut.
 */
import type { FastifyInstance } from 'fastify';

export interface ShutdownReport {
  /** Connections still open when the grace period ended, and cut. */
  cut: number;
  /** How long the close took, ms. */
  ms: number;
}

export async function closeGracefully(app: FastifyInstance, graceMs: number): Promise<ShutdownReport> {
  const started = performance.now();
  let cut = 0;
  const timer = setTimeout(() => {
    const server = app.server;
    server.getConnections((err, count) => {
      cut = err ? 0 : count;
      server.closeAllConnections();
    });
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
  return { cut, ms: performance.now() - started };
}
