/** The polite crawler (robots.txt, politeness, retries, redirects, caps, SSRF guard) and the `read html` source. */
export { Crawler, defaultCrawlerOptions, HTML_TYPE, FEED_TYPES, type CrawlerOptions, type FetchedPage } from './crawler.js';
export { htmlSource, urlsFrom, defaultHtmlSourceOptions, type HtmlSourceOptions } from './html-source.js';
export { parseRobots, isAllowed, groupFor, productToken, ALLOW_ALL, DISALLOW_ALL, type Robots, type RobotsGroup, type RobotsRule } from './robots.js';
export { isBlockedAddress, isAddressAllowed, guardedLookup, assertHostAllowed, BlockedAddressError, type AllowPrivate } from './ssrf-guard.js';
export { HostLimiter } from './host-limiter.js';
