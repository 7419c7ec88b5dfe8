/**
 * A minimal headless-Chromium driver for tests: starts Debian's chromium with a fresh profile and
 * `--remote-debugging-port=0`, speaks the DevTools protocol over undici's WebSocket (flattened target
 * sessions), and collects console errors, exceptions and log errors of the page.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { WebSocket } from 'undici';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** The flags every run uses: no sandbox (tests run as root), no GPU, no network chatter, no first-run UI. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--mute-audio',
];

type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

export interface PageProblem {
  kind: 'console' | 'exception' | 'log';
  text: string;
}

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Map<string, Listener[]>();

  private constructor(private readonly child: ChildProcess, private readonly ws: WebSocket, private readonly profile: string) {
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result);
      } else if (msg.method) {
        for (const l of this.listeners.get(msg.method) ?? []) l(msg.params ?? {}, msg.sessionId);
      }
    });
  }

  /** Starts chromium and connects to its browser target. */
  static async launch(windowSize = '1280,2000'): Promise<Browser> {
    const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-chromium-'));
    const child = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--window-size=${windowSize}`, '--remote-debugging-port=0', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'disabled:' },
    });
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not print its DevTools URL within 60 s:\n${err.slice(-2000)}`)), 60_000);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => {
        err += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`chromium exited with ${code} before it listened:\n${err.slice(-2000)}`));
      });
    });
    child.stderr!.resume();
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve());
      ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)));
    });
    return new Browser(child, ws, profile);
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.ws.send(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }));
    });
  }

  on(method: string, l: Listener): void {
    const list = this.listeners.get(method) ?? [];
    list.push(l);
    this.listeners.set(method, list);
  }

  /** Opens a new page of the given size and returns a handle to it. */
  async newPage(width = 1280, height = 2000): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    await Promise.all([
      this.send('Page.enable', {}, sessionId),
      this.send('Runtime.enable', {}, sessionId),
      this.send('Log.enable', {}, sessionId),
      this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId),
    ]);
    return page;
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.send('Browser.close'), new Promise((r) => setTimeout(r, 3000))]);
    } catch {
      /* already gone */
    }
    this.ws.close();
    if (this.child.exitCode === null) {
      await Promise.race([new Promise((r) => this.child.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    await fs.rm(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  readonly problems: PageProblem[] = [];
  private loaded: (() => void) | undefined;

  constructor(private readonly browser: Browser, readonly sessionId: string) {
    const mine = (sid?: string) => sid === sessionId;
    browser.on('Runtime.consoleAPICalled', (p, sid) => {
      if (!mine(sid) || !['error', 'assert', 'warning'].includes(String(p.type))) return;
      const args = (p.args as { value?: unknown; description?: string }[] | undefined) ?? [];
      this.problems.push({ kind: 'console', text: `${p.type}: ${args.map((a) => a.value ?? a.description).join(' ')}` });
    });
    browser.on('Runtime.exceptionThrown', (p, sid) => {
      if (!mine(sid)) return;
      const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
      this.problems.push({ kind: 'exception', text: `${d.text ?? ''} ${d.exception?.description ?? ''}` });
    });
    browser.on('Log.entryAdded', (p, sid) => {
      if (!mine(sid)) return;
      const e = p.entry as { level: string; text: string; source: string; url?: string };
      if (e.level === 'error' || e.level === 'warning') this.problems.push({ kind: 'log', text: `${e.source} ${e.level}: ${e.text}${e.url ? ` (${e.url})` : ''}` });
    });
    browser.on('Page.loadEventFired', (_p, sid) => {
      if (mine(sid)) this.loaded?.();
    });
  }

  /** Navigates and waits for the load event. */
  async goto(url: string, timeoutMs = 30_000): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no load event for ${url} within ${timeoutMs} ms`)), timeoutMs);
      this.loaded = () => {
        clearTimeout(t);
        resolve();
      };
    });
    const r = await this.browser.send<{ errorText?: string }>('Page.navigate', { url }, this.sessionId);
    if (r.errorText) throw new Error(`navigation to ${url} failed: ${r.errorText}`);
    await loaded;
  }

  /** Evaluates an expression in the page and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.browser.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.sessionId);
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** A PNG of the viewport (or the whole page with fullPage). */
  async screenshot(fullPage = false): Promise<Buffer> {
    const r = await this.browser.send<{ data: string }>('Page.captureScreenshot', { format: 'png', captureBeyondViewport: fullPage }, this.sessionId);
    return Buffer.from(r.data, 'base64');
  }
}

/** Width and height from a PNG's IHDR chunk (throws if the bytes are not a PNG). */
export function pngSize(png: Buffer): { width: number; height: number } {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (png.length < 24 || !png.subarray(0, 8).equals(sig) || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Decodes an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) to RGBA pixels. */
export function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  const { width, height } = pngSize(png);
  const depth = png[24];
  const colorType = png[25];
  const interlace = png[28];
  if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colorType}, interlace ${interlace})`);
  const channels = colorType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length;) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    if (type === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let p: number;
      switch (filter) {
        case 0: p = 0; break;
        case 1: p = a; break;
        case 2: p = b; break;
        case 3: p = (a + b) >> 1; break;
        case 4: {
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      cur[i] = (line[i]! + p) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out.set([cur[x * channels]!, cur[x * channels + 1]!, cur[x * channels + 2]!, channels === 4 ? cur[x * channels + 3]! : 255], (y * width + x) * 4);
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}
