/**
 * What `massivetext read` (and a recipe) can name, without loading any source: each kind's one-line
 * description and the extra flags the kinds understand. The kinds themselves (which load the stages) are
 * read-kinds.ts; read.test.ts checks that both list the same kinds with the same descriptions.
 */

/** Kind -> description, in the order `read --help` lists them. */
export const readKindDescriptions: Readonly<Record<string, string>> = {
  jsonl: 'JSON lines files (plain, .gz, .zst); {"id","text"} suffice',
  gutenberg: 'Project Gutenberg plain texts (.txt, .txt.gz) with PG header/footer stripped; pg<N>.rdf catalog records among the inputs become metadata',
  wikipedia: 'MediaWiki XML dumps (.xml, .xml.bz2, .xml.gz), streamed; articles only, redirects/disambiguation skipped',
  code: 'code repositories: a directory, a .tar.gz, a directory of .tar.gz, or a git URL (shallow clone); permissive licences only',
  c4: 'C4 JSON lines (plain, .gz, .zst) with url and timestamp',
  warc: 'WARC/ARC files or http(s) URLs (.warc, .warc.gz, .arc, .arc.gz), streamed; HTML responses, main text extracted',
  html: 'web pages by URL (or files listing URLs, one per line) through the polite crawler; main text extracted',
  feed: 'RSS 2.0 / RSS 1.0 (RDF) / Atom feeds (files or URLs): one document per item, its article fetched and extracted, else the feed content; .warc(.gz) inputs are article snapshots',
};

/** Extra `read` flags of the books, Wikipedia, code and C4 kinds: [flags, description]. */
export const corpusReadOptions: readonly (readonly [string, string])[] = [
  ['--languages <list>', 'gutenberg: keep books whose catalog language is in this comma-separated list (e.g. en)'],
  ['--min-year <n>', 'gutenberg: keep books whose year is >= n (see --year-source)'],
  ['--max-year <n>', 'gutenberg: keep books whose year is <= n'],
  ['--year-source <issued|author-death>', 'gutenberg: the year the bounds apply to (default issued: PG release date)'],
  ['--include-title', 'wikipedia: put the page title as the first line of the text'],
  ['--no-dedup', 'code: keep files whose exact content was already seen'],
];

/**
 * Per-request limits of every kind that fetches over HTTP (html pages, feed URLs and their articles, warc
 * URLs): [flags, description]. The defaults quoted are defaultCrawlerOptions' (stages/http/crawler.ts;
 * read.test.ts checks they agree). A request that breaks one is a bad record: the URL is named with the
 * cause (timeout, too_slow), the other inputs are read, and the command exits 3.
 */
export const httpTimeoutOptions: readonly (readonly [string, string])[] = [
  ['--timeout <ms>', 'html, feed: deadline for a whole page, feed or article, retries and redirects included (default 180000); warc URLs: for the response to begin'],
  ['--connect-timeout <ms>', 'html, feed, warc URLs: deadline to open a connection (default 10000)'],
  ['--headers-timeout <ms>', 'html, feed, warc URLs: deadline for the response headers of one try (default 30000)'],
  ['--body-timeout <ms>', 'html, feed, warc URLs: longest silence while a body is read (default 30000)'],
  ['--min-speed <bytes/s>', 'warc URLs: a download slower than this over --speed-window is abandoned (default 1024; 0: no limit)'],
  ['--speed-window <ms>', 'warc URLs: the time (waiting on the network) over which --min-speed is measured (default 30000)'],
];

/** Extra `read` flags of the web and news kinds: [flags, description]. */
export const webReadOptions: readonly (readonly [string, string])[] = [
  ['--raw', 'warc, html: emit the decoded HTML (meta.format "html") instead of the extracted main text'],
  ['--pages <warcs>', 'feed: comma-separated WARC files with article pages, used before the network (offline snapshot)'],
  ['--offline', 'feed: never use the network; articles not in --pages fall back to the feed content'],
  ['--no-articles', 'feed: use the feed content only, do not fetch articles'],
  ['--ignore-robots', 'html, feed: do not consult robots.txt (only for sites you operate)'],
  ['--concurrency <n>', 'html, feed, warc URLs: requests in flight over all hosts (default 16)'],
  ['--per-host-delay <ms>', 'html, feed: minimum milliseconds between requests to one host (default 1000; a larger Crawl-delay wins)'],
  ['--user-agent <ua>', 'crawler User-Agent (its first word selects the robots.txt group)'],
  ...httpTimeoutOptions,
];
