/** News: RSS/RDF/Atom feeds, their items' articles fetched (or served from a WARC snapshot) and extracted. */
export { feedSource, defaultFeedSourceOptions, type FeedSourceOptions } from './feed-source.js';
export { parseFeed, decodeXmlText, toIsoDate, type Feed, type FeedItem, type FeedFormat } from './parse-feed.js';
