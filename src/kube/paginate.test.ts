import { describe, expect, it } from 'vitest';
import { listAllPages, type ListPage, type PageRequest } from './paginate.ts';

/** Pages of `total` numbered items served the way the API server chunks a LIST; records every request. */
function pagedSource(total: number, resourceVersions: (page: number) => string = () => '42') {
  const requests: PageRequest[] = [];
  const listPage = async (req: PageRequest): Promise<ListPage<number>> => {
    requests.push(req);
    const start = req._continue === undefined ? 0 : Number(req._continue);
    const items = Array.from(
      { length: Math.max(0, Math.min(req.limit, total - start)) },
      (_, i) => start + i,
    );
    const end = start + items.length;
    const page = requests.length - 1;
    return {
      items,
      metadata: {
        resourceVersion: resourceVersions(page),
        ...(end < total ? { continue: String(end) } : {}),
      },
    };
  };
  return { requests, listPage };
}

describe('listAllPages', () => {
  it('follows continue tokens until the last page and concatenates the items in order', async () => {
    const source = pagedSource(25);
    const listed = await listAllPages(source.listPage, 10);
    expect(listed.items).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(source.requests).toEqual([
      { limit: 10 },
      { limit: 10, _continue: '10' },
      { limit: 10, _continue: '20' },
    ]);
  });

  it('reads the token where the typed clients put it (_continue) as well as from raw JSON (continue)', async () => {
    const requests: PageRequest[] = [];
    const listed = await listAllPages(async (req) => {
      requests.push(req);
      if (req._continue === undefined) return { items: [1], metadata: { _continue: 'typed' } };
      if (req._continue === 'typed') return { items: [2], metadata: { continue: 'raw' } };
      return { items: [3], metadata: { resourceVersion: '9' } };
    }, 1);
    expect(listed).toEqual({ items: [1, 2, 3], metadata: { resourceVersion: '9' } });
    expect(requests.map((r) => r._continue)).toEqual([undefined, 'typed', 'raw']);
  });

  it('makes one request when everything fits on the first page', async () => {
    const source = pagedSource(3);
    const listed = await listAllPages(source.listPage, 10);
    expect(listed.items).toEqual([0, 1, 2]);
    expect(source.requests).toEqual([{ limit: 10 }]);
  });

  it('returns an empty list with its resourceVersion', async () => {
    const listed = await listAllPages(pagedSource(0).listPage, 10);
    expect(listed).toEqual({ items: [], metadata: { resourceVersion: '42' } });
  });

  it('returns the resourceVersion of the last page', async () => {
    const source = pagedSource(21, (page) => `rv-${page}`);
    const listed = await listAllPages(source.listPage, 10);
    expect(listed.metadata.resourceVersion).toBe('rv-2');
  });

  it('treats an empty continue token as the end', async () => {
    const listed = await listAllPages(async () => ({
      items: ['a'],
      metadata: { continue: '', resourceVersion: '7' },
    }));
    expect(listed).toEqual({ items: ['a'], metadata: { resourceVersion: '7' } });
  });

  it('asks for 500 objects a page by default', async () => {
    const source = pagedSource(1);
    await listAllPages(source.listPage);
    expect(source.requests).toEqual([{ limit: 500 }]);
  });

  it('passes a failed page on, so that the caller restarts the whole list (410 on an expired token)', async () => {
    const expired = Object.assign(new Error('The provided continue parameter is too old'), { code: 410 });
    const requests: PageRequest[] = [];
    const listing = listAllPages(async (req) => {
      requests.push(req);
      if (req._continue) throw expired;
      return { items: [1], metadata: { continue: 'next' } };
    }, 1);
    await expect(listing).rejects.toBe(expired);
    expect(requests).toEqual([{ limit: 1 }, { limit: 1, _continue: 'next' }]);
  });

  it('fails instead of looping when the server repeats a continue token', async () => {
    const listing = listAllPages(async () => ({ items: [1], metadata: { continue: 'same' } }), 1);
    await expect(listing).rejects.toThrow(/continue token same twice/);
  });

  it('rejects a page size that is not a positive integer', async () => {
    const never = async (): Promise<ListPage<number>> => ({ items: [] });
    await expect(listAllPages(never, 0)).rejects.toThrow(RangeError);
    await expect(listAllPages(never, 2.5)).rejects.toThrow(RangeError);
  });
});
