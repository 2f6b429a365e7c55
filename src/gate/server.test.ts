import { describe, expect, it } from 'vitest';
import { parseListenAddress } from './server.ts';

describe('parseListenAddress', () => {
  it('reads host:port forms', () => {
    expect(parseListenAddress('127.0.0.1:8081')).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(parseListenAddress(':9000')).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress('localhost:80')).toEqual({ host: 'localhost', port: 80 });
  });

  it('rejects what is not one', () => {
    for (const bad of ['8081', '127.0.0.1', 'host:99999', 'a:b'])
      expect(() => parseListenAddress(bad)).toThrow(/invalid listen address/);
  });
});
