/**
 * Errors with a code and a hint. A broken config or environment raises MassivetextError before work
 * starts; bad data in one record becomes a RecordError that a stage counts as `error:<code>` and skips.
 */

export interface ErrorPosition {
  /** Input file or URL. */
  file?: string;
  /** 1-based line number in the (decompressed) input. */
  line?: number;
  /** Byte offset in the input. */
  offset?: number;
  /** Record number or id within the input. */
  record?: string | number;
}

export class MassivetextError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly position: ErrorPosition;

  constructor(code: string, message: string, hint = '', position: ErrorPosition = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MassivetextError';
    this.code = code;
    this.hint = hint;
    this.position = position;
  }

  /** "file:line: message (code) — hint" */
  describe(): string {
    return `${formatPosition(this.position)}${this.message} [${this.code}]${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** Bad data in one record: counted and skipped, never fatal. */
export class RecordError extends MassivetextError {
  constructor(code: string, message: string, position: ErrorPosition = {}, hint = '', options?: { cause?: unknown }) {
    super(code, message, hint, position, options);
    this.name = 'RecordError';
  }
}

export function formatPosition(p: ErrorPosition): string {
  const parts: string[] = [];
  if (p.file !== undefined) parts.push(p.file);
  if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.offset !== undefined) parts.push(`byte ${p.offset}`);
  if (p.record !== undefined) parts.push(`record ${p.record}`);
  return parts.length ? parts.join(', ') + ': ' : '';
}

export function isMassivetextError(e: unknown): e is MassivetextError {
  return e instanceof MassivetextError;
}
