/**
 * Shallow clone of a git URL with the system `git` (spawned with an argument vector, never a shell):
 * `git clone --depth 1 --single-branch --no-tags` into a fresh temporary directory, with prompts, hooks
 * and submodules off. Only https/http/git/ssh/file URLs and scp-style `user@host:path` are accepted, so
 * `ext::` and other command-running transports can never be reached; `--` ends git's options so a URL
 * cannot be read as one.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MassivetextError, RecordError } from '../../pipeline/index.js';

const URL_RE = /^(?:(?:https?|git|ssh|file):\/\/[^\s]+|[\w.-]+@[\w.-]+:[^\s]+)$/i;

export function isGitUrl(input: string): boolean {
  return URL_RE.test(input) && !input.startsWith('-');
}

/** `owner/repo` for GitHub-like URLs, else host/path without `.git`. */
export function repoNameOfUrl(url: string): string {
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(url);
  let host: string;
  let p: string;
  if (scp) {
    host = scp[1]!;
    p = scp[2]!;
  } else {
    const u = new URL(url);
    host = u.host;
    p = u.pathname;
  }
  p = p.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  if (host === 'github.com' || host === 'gitlab.com' || host === 'bitbucket.org') return p;
  return host ? `${host}/${p}` : path.basename(p);
}

function run(cmd: string, args: string[], options: { cwd?: string; timeoutMs: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', GIT_CONFIG_NOSYSTEM: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 1 << 16) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 1 << 16) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ClonedRepo {
  dir: string;
  commit?: string;
  /** Removes the clone. */
  dispose(): Promise<void>;
}

export async function shallowClone(url: string, options: { timeoutMs: number; git?: string }): Promise<ClonedRepo> {
  if (!isGitUrl(url)) {
    throw new RecordError('bad_url', `not a git URL: ${url}`, { file: url }, 'use https://, ssh://, git://, file:// or user@host:path');
  }
  const git = options.git ?? 'git';
  const parent = await mkdtemp(path.join(tmpdir(), 'massivetext-clone-'));
  const dir = path.join(parent, 'repo');
  const dispose = () => rm(parent, { recursive: true, force: true });
  let r;
  try {
    r = await run(git, ['-c', 'core.hooksPath=/dev/null', '-c', 'advice.detachedHead=false', 'clone', '--depth', '1', '--single-branch',
      '--no-tags', '--no-recurse-submodules', '--quiet', '--', url, dir], { timeoutMs: options.timeoutMs });
  } catch (e) {
    await dispose();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      throw new MassivetextError('missing_tool', 'cloning repositories needs git, which is not on PATH', 'install git (apt-get install git)');
    }
    throw new RecordError('clone_failed', `cannot run git for ${url}: ${err.message}`, { file: url });
  }
  if (r.code !== 0) {
    await dispose();
    throw new RecordError('clone_failed', `git clone ${url} failed (${r.code === null ? 'timed out' : `exit ${r.code}`}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`,
      { file: url }, 'check the URL and that the repository is public');
  }
  const head = await run(git, ['rev-parse', 'HEAD'], { cwd: dir, timeoutMs: 30_000 }).catch(() => undefined);
  const commit = head && head.code === 0 ? head.stdout.trim() : undefined;
  return commit ? { dir, commit, dispose } : { dir, dispose };
}
