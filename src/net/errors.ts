/**
 * Stable codes of a failed outbound exchange; callers branch on these, never on messages.
 * - ETIMEOUT: no complete answer (headers and body) within the call's timeout
 * - EABORTED: the caller's signal aborted (shutdown, leadership lost); `cause` is its reason
 * - ETOOLARGE: the answer's body is larger than the call's cap
 * - EREDIRECT: a redirect to another scheme, host or port, too many redirects, or an unusable Location
 * - EUNREACHABLE: no answer: connection refused or reset, DNS or TLS failure, the answer cut short
 */
export const OUTBOUND_ERROR_CODES = [
  'ETIMEOUT',
  'EABORTED',
  'ETOOLARGE',
  'EREDIRECT',
  'EUNREACHABLE',
] as const;
export type OutboundErrorCode = (typeof OUTBOUND_ERROR_CODES)[number];

/** A failed outbound exchange. The message names hosts at most, never a full URL (URLs may carry tokens). */
export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  readonly code: OutboundErrorCode;
  /** The status of the answer the failure came with (ETOOLARGE, EREDIRECT), when there was one. */
  readonly status?: number;

  constructor(code: OutboundErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
  }
}

export function isOutboundError(err: unknown, code?: OutboundErrorCode): err is OutboundError {
  return err instanceof OutboundError && (code === undefined || err.code === code);
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** 1048576 → "1 MiB", 65536 → "64 KiB", 1000 → "1000 bytes". */
export function formatBytes(n: number): string {
  if (n >= MIB && n % MIB === 0) return `${n / MIB} MiB`;
  if (n >= KIB && n % KIB === 0) return `${n / KIB} KiB`;
  return `${n} bytes`;
}
