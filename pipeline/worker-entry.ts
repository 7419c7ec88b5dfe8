/** Worker thread entry for WorkerPool: imports the named module once and calls the named function. */
import { parentPort } from 'node:worker_threads';

const modules = new Map<string, Promise<Record<string, unknown>>>();

if (parentPort) {
  const port = parentPort;
  port.on('message', async (msg: { id: number; module: string; fn: string; options: unknown; input: unknown }) => {
    try {
      let mod = modules.get(msg.module);
      if (!mod) {
        mod = import(msg.module) as Promise<Record<string, unknown>>;
        modules.set(msg.module, mod);
      }
      const f = (await mod)[msg.fn];
      if (typeof f !== 'function') throw new Error(`${msg.module} has no exported function ${msg.fn}`);
      const value = await (f as (i: unknown, o: unknown) => unknown)(msg.input, msg.options);
      port.postMessage({ id: msg.id, ok: true, value });
    } catch (e) {
      const err = e as Error & { code?: string; hint?: string; position?: Record<string, unknown> };
      port.postMessage({
        id: msg.id, ok: false,
        error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack, code: err?.code, hint: err?.hint, position: err?.position },
      });
    }
  });
}
