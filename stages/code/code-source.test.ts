import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Document, type Reporter, type Source, StageStats } from '../../pipeline/index.js';
import { corpus } from '../../tests/helpers/corpora.js';
import { codeSource } from './code-source.js';
import { isGitUrl, repoNameOfUrl, shallowClone } from './git-clone.js';
import { readTar } from './tar-reader.js';

async function collect(source: Source) {
  const stats = new StageStats(source.name);
  const warnings: { code: string; message: string }[] = [];
  const reporter: Reporter = { progress() {}, info() {}, warn: (code, message) => void warnings.push({ code, message }) };
  const docs: Document[] = [];
  for await (const d of source.read({ stats, reporter })) docs.push(d);
  return { docs, counters: stats.counters, warnings };
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'mt-code-'));
const CODE = corpus('code');
const VFILE = corpus('code/vfile__vfile.tar.gz');

/** The files of a real fixture archive: path (top directory stripped) -> bytes. */
async function filesOf(archive: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const e of readTar(archive)) if (e.type === 'file' && e.data) out.set(e.path.split('/').slice(1).join('/'), e.data);
  return out;
}

/** A ustar entry (header + padded data), for crafting hostile archives around real file contents. */
function tarEntry(name: string, data: Buffer = Buffer.alloc(0), type = '0', linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}
const tarOf = (...entries: Buffer[]) => gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));

describe('codeSource on the fixture repositories', () => {
  it('keeps permissive repositories, excludes the GPL one, and every file is accounted for', async () => {
    const { docs, counters, warnings } = await collect(codeSource([CODE]));
    expect(warnings).toEqual([]);
    expect(counters.repos).toBe(5);
    expect(counters.repos_kept).toBe(4);
    expect(counters['dropped:licence:GPL-3.0']).toBe(21);
    expect(docs.some((d) => d.meta.repo === 'pgcorpus/gutenberg')).toBe(false);
    expect(new Set(docs.map((d) => d.meta.repo))).toEqual(new Set(['antirez/sds', 'google/uuid', 'pallets/markupsafe', 'vfile/vfile']));
    const dropped = Object.entries(counters).filter(([k]) => k.startsWith('dropped:')).reduce((a, [, v]) => a + v, 0);
    expect(docs.length + dropped).toBe(counters.in);
    expect(counters['dropped:lock_file']).toBe(1); // markupsafe/uv.lock
    expect(counters['dropped:licence_file']).toBe(5);
  });

  it('documents: id = github:<repo>:<path>, text = the file, language and licence in meta', async () => {
    const { docs } = await collect(codeSource([VFILE]));
    const files = await filesOf(VFILE);
    const lib = docs.find((d) => d.id === 'github:vfile/vfile:lib/index.js')!;
    expect(lib.subset).toBe('github');
    expect(lib.text).toBe(files.get('lib/index.js')!.toString('utf8'));
    expect(lib.meta).toMatchObject({ repo: 'vfile/vfile', path: 'lib/index.js', codeLanguage: 'JavaScript', licence: 'MIT', source: VFILE });
    expect(lib.meta.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(docs.find((d) => d.id === 'github:vfile/vfile:index.d.ts')!.meta.codeLanguage).toBe('TypeScript');
  });

  it('exact dedup of files by content hash across repositories', async () => {
    const dir = tmp();
    copyFileSync(VFILE, path.join(dir, 'fork__vfile.tar.gz'));
    const once = await collect(codeSource([VFILE]));
    const twice = await collect(codeSource([VFILE, path.join(dir, 'fork__vfile.tar.gz')]));
    expect(twice.docs).toHaveLength(once.docs.length);
    expect(twice.counters['dropped:duplicate']).toBe(once.docs.length);
    expect((await collect(codeSource([VFILE, path.join(dir, 'fork__vfile.tar.gz')], { dedup: false }))).docs).toHaveLength(2 * once.docs.length);
  });
});

describe('codeSource on a repository directory', () => {
  it('applies every file rule, refuses symlinks out of the repository', async () => {
    const files = await filesOf(VFILE);
    const root = path.join(tmp(), 'myrepo');
    for (const [p, data] of files) {
      mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      writeFileSync(path.join(root, p), data);
    }
    const js = files.get('lib/index.js')!;
    const put = (p: string, data: Buffer | string) => {
      mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      writeFileSync(path.join(root, p), data);
    };
    put('node_modules/dep/index.js', files.get('lib/minpath.browser.js')!);
    put('package-lock.json', '{"lockfileVersion": 3}');
    put('lib/binary.js', Buffer.concat([js.subarray(0, 50), Buffer.from([0, 1, 2]), js.subarray(50)]));
    put('lib/bundle.js', `${js.toString('utf8')}\nvar x="${'x'.repeat(1500)}";\n`);
    put('lib/generated.js', `// This file is automatically generated. Do not edit.\n${files.get('lib/minurl.shared.js')!.toString('utf8')}`);
    put('lib/dashes.md', '-'.repeat(80) + '\n' + '= '.repeat(40) + '\n');
    symlinkSync('index.js', path.join(root, 'lib/alias.js'));
    symlinkSync('/etc/passwd', path.join(root, 'lib/passwd.js'));
    symlinkSync('../../outside.js', path.join(root, 'lib/outside.js'));
    const { docs, counters, warnings } = await collect(codeSource([root]));
    expect(docs.every((d) => d.id.startsWith('github:myrepo:'))).toBe(true);
    expect(counters).toMatchObject({
      'dropped:vendored': 1, 'dropped:lock_file': 1, 'dropped:binary': 1, 'dropped:max_line_length': 1,
      'dropped:autogenerated': 1, 'dropped:alnum_fraction': 1, 'dropped:symlink': 1, 'error:unsafe_path': 2,
    });
    expect(warnings.filter((w) => w.code === 'unsafe_path').map((w) => w.message).join('\n')).toMatch(/passwd\.js.*outside the repository/s);
    expect(docs.map((d) => d.meta.path)).toContain('lib/index.js');
    expect(docs.map((d) => d.meta.path)).not.toContain('lib/passwd.js');
  });

  it('a directory without a licence is dropped as licence:none', async () => {
    const root = path.join(tmp(), 'nolicence');
    mkdirSync(root);
    writeFileSync(path.join(root, 'index.js'), (await filesOf(VFILE)).get('lib/index.js')!);
    const { docs, counters } = await collect(codeSource([root]));
    expect(docs).toHaveLength(0);
    expect(counters['dropped:licence:none']).toBe(1);
  });
});

describe('codeSource on hostile and damaged archives', () => {
  it('refuses entries escaping the target directory; the safe entries are read', async () => {
    const files = await filesOf(VFILE);
    const dir = tmp();
    const archive = path.join(dir, 'evil__repo.tar.gz');
    writeFileSync(archive, tarOf(
      tarEntry('repo/license', files.get('license')!),
      tarEntry('repo/../../evil.js', files.get('lib/index.js')!),
      tarEntry('/etc/cron.d/evil.js', files.get('lib/index.js')!),
      tarEntry('repo/lib/link.js', undefined, '2', '../../../etc/passwd'),
      tarEntry('repo/lib/minurl.shared.js', files.get('lib/minurl.shared.js')!),
    ));
    const { docs, counters, warnings } = await collect(codeSource([archive]));
    expect(counters['error:unsafe_path']).toBe(3);
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/"repo\/\.\.\/\.\.\/evil\.js" escapes the target directory/);
    expect(docs.map((d) => d.id)).toEqual(['github:evil/repo:lib/minurl.shared.js']);
    expect(existsSync(path.join(dir, '..', 'evil.js'))).toBe(false);
  });

  it('a truncated .tar.gz and a corrupt archive are errors with position; other inputs are still read', async () => {
    const dir = tmp();
    const bytes = readFileSync(corpus('code/pallets__markupsafe.tar.gz'));
    writeFileSync(path.join(dir, 'cut__markupsafe.tar.gz'), bytes.subarray(0, bytes.length >> 1));
    writeFileSync(path.join(dir, 'not__atar.tar.gz'), gzipSync(readFileSync(corpus('wikipedia/mwxml-dump.xml'))));
    const { docs, counters, warnings } = await collect(codeSource([path.join(dir, 'cut__markupsafe.tar.gz'), path.join(dir, 'not__atar.tar.gz'), VFILE]));
    expect(counters['error:truncated_input']).toBe(1);
    expect(counters['error:corrupt_archive']).toBe(1);
    expect(warnings.find((w) => w.code === 'truncated_input')!.message).toMatch(/cut__markupsafe\.tar\.gz: archive is truncated or corrupt .*byte \d+ of the tar stream/);
    expect(warnings.find((w) => w.code === 'corrupt_archive')!.message).toMatch(/not__atar\.tar\.gz: entry header at byte 0 has a bad checksum/);
    expect(docs.filter((d) => d.meta.repo === 'cut/markupsafe').length).toBeGreaterThan(0);
    expect(docs.filter((d) => d.meta.repo === 'vfile/vfile').length).toBeGreaterThan(10);
  });
});

describe('git URLs', () => {
  it('accepts only safe URL forms', () => {
    expect(isGitUrl('https://github.com/vfile/vfile.git')).toBe(true);
    expect(isGitUrl('git@github.com:vfile/vfile.git')).toBe(true);
    expect(isGitUrl('file:///srv/repo')).toBe(true);
    expect(isGitUrl('ext::sh -c touch% /tmp/pwned')).toBe(false);
    expect(isGitUrl('--upload-pack=touch /tmp/pwned')).toBe(false);
    expect(repoNameOfUrl('https://github.com/vfile/vfile.git')).toBe('vfile/vfile');
    expect(repoNameOfUrl('git@gitlab.example.org:team/tool.git')).toBe('gitlab.example.org/team/tool');
  });

  it('shallow-clones a repository with the system git and reads it', async () => {
    const files = await filesOf(VFILE);
    const src = path.join(tmp(), 'vfile');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], { cwd: src, stdio: 'pipe' });
    mkdirSync(src);
    git('init', '-q');
    for (const [p, data] of files) {
      mkdirSync(path.dirname(path.join(src, p)), { recursive: true });
      writeFileSync(path.join(src, p), data);
    }
    writeFileSync(path.join(src, 'old.js'), files.get('lib/minurl.js')!);
    git('add', '-A');
    git('commit', '-qm', 'first');
    execFileSync('git', ['rm', '-q', 'old.js'], { cwd: src });
    git('commit', '-qm', 'second');
    const url = `file://${src}`;
    const clone = await shallowClone(url, { timeoutMs: 60_000 });
    try {
      expect(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: clone.dir, encoding: 'utf8' }).trim()).toBe('1');
      expect(existsSync(path.join(clone.dir, '.git', 'shallow'))).toBe(true);
      expect(clone.commit).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      await clone.dispose();
    }
    expect(existsSync(clone.dir)).toBe(false);
    const { docs, counters } = await collect(codeSource([url, `file://${src}-missing`]));
    expect(counters['error:clone_failed']).toBe(1);
    expect(docs.map((d) => d.meta.path)).toContain('lib/index.js');
    expect(docs.map((d) => d.meta.path)).not.toContain('old.js');
    expect(docs[0]!.id.startsWith('github:vfile:')).toBe(true);
    expect(docs[0]!.meta.commit).toMatch(/^[0-9a-f]{40}$/);
  });
});
