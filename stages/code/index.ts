/** Code (the github subset): repositories from directories, .tar.gz archives or git URLs, licence-filtered, file rules, exact dedup. */
export { codeSource, defaultCodeSourceOptions, type CodeSourceOptions, expandCodeInputs } from './code-source.js';
export { defaultCodeFileRulesOptions, type CodeFileRulesOptions, pathVerdict, contentVerdict, fileStats } from './code-file-rules.js';
export { detectLicence, repoLicence, PERMISSIVE_LICENCES, isLicenceFile } from './licence.js';
export { codeLanguageOf, REDPAJAMA_EXTENSIONS } from './code-language.js';
export { readTar, type TarEntry } from './tar-reader.js';
export { isGitUrl, shallowClone } from './git-clone.js';
