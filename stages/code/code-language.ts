/**
 * Programming language of a file from its name (extension, or a few well-known file names), after GitHub
 * Linguist's languages.yml. The default extension whitelist is RedPajama-V1's
 * (togethercomputer/RedPajama-Data, data_prep/github/github_run_filter.py `extensions_whitelist`).
 */
import * as path from 'node:path';

/** RedPajama-V1's whitelist, verbatim (case-sensitive: `.C`/`.H` are C++). File names without a dot match whole names. */
export const REDPAJAMA_EXTENSIONS: readonly string[] = [
  '.asm', '.bat', '.cmd', '.c', '.h', '.cs', '.cpp', '.hpp', '.c++', '.h++', '.cc', '.hh', '.C', '.H', '.cmake', '.css',
  '.dockerfile', '.f90', '.f', '.f03', '.f08', '.f77', '.f95', '.for', '.fpp', '.go', '.hs', '.html', '.java', '.js', '.jl',
  '.lua', '.md', '.markdown', '.php', '.php3', '.php4', '.php5', '.phps', '.phpt', '.pl', '.pm', '.pod', '.perl', '.ps1',
  '.psd1', '.psm1', '.py', '.rb', '.rs', '.sql', '.scala', '.sh', '.bash', '.command', '.zsh', '.ts', '.tsx', '.tex', '.vb',
  'Dockerfile', 'Makefile', '.xml', '.rst', '.m', '.smali',
];

const BY_EXT: Record<string, string> = {
  '.asm': 'Assembly', '.bat': 'Batchfile', '.cmd': 'Batchfile', '.c': 'C', '.h': 'C', '.cs': 'C#', '.cpp': 'C++', '.hpp': 'C++',
  '.c++': 'C++', '.h++': 'C++', '.cc': 'C++', '.hh': 'C++', '.C': 'C++', '.H': 'C++', '.cxx': 'C++', '.cmake': 'CMake',
  '.css': 'CSS', '.dockerfile': 'Dockerfile', '.f90': 'Fortran', '.f': 'Fortran', '.f03': 'Fortran', '.f08': 'Fortran',
  '.f77': 'Fortran', '.f95': 'Fortran', '.for': 'Fortran', '.fpp': 'Fortran', '.go': 'Go', '.hs': 'Haskell', '.html': 'HTML',
  '.htm': 'HTML', '.java': 'Java', '.js': 'JavaScript', '.mjs': 'JavaScript', '.cjs': 'JavaScript', '.jsx': 'JavaScript',
  '.jl': 'Julia', '.lua': 'Lua', '.md': 'Markdown', '.markdown': 'Markdown', '.php': 'PHP', '.php3': 'PHP', '.php4': 'PHP',
  '.php5': 'PHP', '.phps': 'PHP', '.phpt': 'PHP', '.pl': 'Perl', '.pm': 'Perl', '.pod': 'Pod', '.perl': 'Perl',
  '.ps1': 'PowerShell', '.psd1': 'PowerShell', '.psm1': 'PowerShell', '.py': 'Python', '.pyi': 'Python', '.rb': 'Ruby',
  '.rs': 'Rust', '.sql': 'SQL', '.scala': 'Scala', '.sh': 'Shell', '.bash': 'Shell', '.command': 'Shell', '.zsh': 'Shell',
  '.ts': 'TypeScript', '.mts': 'TypeScript', '.cts': 'TypeScript', '.tsx': 'TSX', '.tex': 'TeX', '.vb': 'Visual Basic',
  '.xml': 'XML', '.rst': 'reStructuredText', '.m': 'Objective-C', '.smali': 'Smali', '.kt': 'Kotlin', '.swift': 'Swift',
  '.json': 'JSON', '.yaml': 'YAML', '.yml': 'YAML', '.toml': 'TOML', '.txt': 'Text', '.svg': 'SVG', '.ipynb': 'Jupyter Notebook',
};

const BY_NAME: Record<string, string> = { Dockerfile: 'Dockerfile', Makefile: 'Makefile', makefile: 'Makefile', GNUmakefile: 'Makefile', CMakeLists: 'CMake' };

/** Language of a path, or undefined when unknown. */
export function codeLanguageOf(p: string): string | undefined {
  const base = path.posix.basename(p);
  if (BY_NAME[base]) return BY_NAME[base];
  const ext = path.posix.extname(base);
  if (!ext) return undefined;
  return BY_EXT[ext] ?? BY_EXT[ext.toLowerCase()];
}

/** RedPajama's `path.endswith(extensions_whitelist)`: a suffix match, so `Dockerfile` also matches `x.Dockerfile`. */
export function hasAllowedExtension(p: string, allowed: readonly string[]): boolean {
  for (const e of allowed) if (p.endsWith(e)) return true;
  return false;
}
