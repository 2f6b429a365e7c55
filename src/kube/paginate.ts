/** Chunked LISTs: `limit` plus `continue` tokens instead of one response holding every object. */

/** What a list call of the client takes for one page (the client's own parameter names). */
export interface PageRequest {
  limit: number;
  _continue?: string;
}

/**
 * One page as a list call returns it. The typed clients deserialise the token into `_continue` (their
 * V1ListMeta); custom object lists return the server's JSON as it is, with `continue`.
 */
export interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string; resourceVersion?: string };
}

/** Every item of a paginated LIST and the resourceVersion of its last page. */
export interface ListedItems<T> {
  items: T[];
  metadata: { resourceVersion?: string };
}

export const DEFAULT_PAGE_SIZE = 500;

/**
 * Calls `listPage` with `limit` and follows `metadata.continue` until the server sends none, concatenating
 * the items. All pages of one LIST are served from the same snapshot; the last page's resourceVersion is
 * the one a watch must start from so that it misses nothing.
 *
 * Continue tokens expire (after about five minutes on a default API server). The server then answers 410
 * Gone, which this passes on unchanged: the caller restarts the whole LIST (an informer does so through
 * its error handler), since finishing from a newer snapshot would give an inconsistent list.
 */
export async function listAllPages<T>(
  listPage: (page: PageRequest) => Promise<ListPage<T>>,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<ListedItems<T>> {
  const items: T[] = [];
  const resourceVersion = await forEachPage(listPage, pageSize, (page) => {
    for (const item of page) items.push(item);
  });
  return { items, metadata: { resourceVersion } };
}

/**
 * Calls `listPage` with `limit` and follows `metadata.continue` until the server sends none, handing each
 * page's items to `onPage` as it arrives (so no more than one page need be held); returns the last page's
 * resourceVersion.
 */
export async function forEachPage<T>(
  listPage: (page: PageRequest) => Promise<ListPage<T>>,
  pageSize: number,
  onPage: (items: readonly T[]) => void,
): Promise<string | undefined> {
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError(`page size must be a positive integer, got ${pageSize}`);
  const seenTokens = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await listPage(
      token === undefined ? { limit: pageSize } : { limit: pageSize, _continue: token },
    );
    onPage(page.items ?? []);
    const next = page.metadata?._continue || page.metadata?.continue || undefined;
    if (next === undefined) return page.metadata?.resourceVersion;
    if (seenTokens.has(next)) throw new Error(`LIST returned the continue token ${next} twice`);
    seenTokens.add(next);
    token = next;
  }
}
