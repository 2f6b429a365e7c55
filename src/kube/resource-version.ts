/**
 * A resourceVersion as a number, to tell which of two versions of an object is newer, or undefined when
 * it is missing or not a decimal number (the API server promises only an opaque string; etcd's are
 * decimal, and a caller that gets undefined treats the order as unknown).
 */
export function resourceVersionNumber(rv: string | undefined): bigint | undefined {
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}
