/** A real local HTTP server on port 0 for the crawler cases: a route table and per-path hit counts. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class TestServer {
  readonly routes = new Map<string, Handler>();
  readonly hits = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  base = '';
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const p = req.url!.split('?')[0]!;
      this.hits.set(p, (this.hits.get(p) ?? 0) + 1);
      const h = this.routes.get(p);
      if (h) h(req, res);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // All interfaces, so 127.0.0.2 / ::1 / localhost spellings would reach it if the guard let them.
    await new Promise<void>((r) => this.server.listen(0, r));
    this.port = (this.server.address() as AddressInfo).port;
    this.base = `http://127.0.0.1:${this.port}`;
  }

  hitsOf(p: string): number {
    return this.hits.get(p) ?? 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
