import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureGatewayApiCrds, GATEWAY_API_VERSION, gatewayApiCrdDir } from './gateway-api.ts';

describe('ensureGatewayApiCrds', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const emptyCache = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kanaria-gwapi-'));
    dirs.push(dir);
    return dir;
  };

  it('caches the standard channel next to the binaries', async () => {
    const cache = await emptyCache();
    expect(gatewayApiCrdDir({ KANARIA_CACHE_DIR: cache })).toBe(
      join(cache, `gateway-api-${GATEWAY_API_VERSION}`, 'standard'),
    );
  });

  it('uses a cached copy without running go', async () => {
    const cache = await emptyCache();
    const env = { KANARIA_CACHE_DIR: cache, PATH: '/nonexistent' };
    await mkdir(gatewayApiCrdDir(env), { recursive: true });
    await writeFile(join(gatewayApiCrdDir(env), 'x.yaml'), '');
    await expect(ensureGatewayApiCrds(env)).resolves.toBe(gatewayApiCrdDir(env));
  });

  it('says go is needed when nothing is cached and go cannot run', async () => {
    const cache = await emptyCache();
    const env = { KANARIA_CACHE_DIR: cache, PATH: '/nonexistent' };
    await expect(ensureGatewayApiCrds(env)).rejects.toMatchObject({
      code: 'ENOGO',
      message: expect.stringMatching(/cannot run go .*sigs\.k8s\.io\/gateway-api@v1\.6\.1/),
    });
  });
});
