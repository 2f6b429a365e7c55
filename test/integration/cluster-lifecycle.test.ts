import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterPorts, down, status, up } from '../../src/devcluster/cluster.ts';
import { listeningPorts } from '../../src/devcluster/ports.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local control plane lifecycle', () => {
  it('up then down leaves no processes and no listening ports', async () => {
    const basePort = 18440;
    const state = await up({ name: 'lifecycle', basePort, nodes: 1, log: () => {} });
    const pids = Object.values(state.pids) as number[];
    expect(pids).toHaveLength(5);
    expect(pids.every(alive)).toBe(true);
    expect((await status('lifecycle')).ready).toBe(true);
    const listening = await listeningPorts();
    expect(listening.has(clusterPorts(basePort).apiserver)).toBe(true);

    expect(await down('lifecycle')).toBe(true);
    expect(pids.filter(alive)).toEqual([]);
    const after = await listeningPorts();
    expect(Object.values(clusterPorts(basePort)).filter((p) => after.has(p))).toEqual([]);
    expect((await status('lifecycle')).running).toBe(false);
  });

  it('refuses a port in use and names it', async () => {
    const basePort = 18460;
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(clusterPorts(basePort).apiserver, '127.0.0.1', r));
    try {
      await expect(up({ name: 'busy', basePort, log: () => {} })).rejects.toThrow(
        `port ${clusterPorts(basePort).apiserver} on 127.0.0.1 (for apiserver) is already in use`,
      );
    } finally {
      blocker.close();
    }
  });

  it('reports a component that exits, with the tail of its log', async () => {
    const assets = await mkdtemp(join(tmpdir(), 'kanaria-assets-'));
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
      await writeFile(join(assets, name), '#!/bin/sh\nsleep 60\n');
      await chmod(join(assets, name), 0o755);
    }
    await writeFile(
      join(assets, 'etcd'),
      '#!/bin/sh\necho "etcd: cannot open data dir: permission denied" >&2\nexit 1\n',
    );
    await chmod(join(assets, 'etcd'), 0o755);
    await expect(
      up({
        name: 'broken',
        basePort: 18480,
        env: { ...process.env, KUBEBUILDER_ASSETS: assets },
        log: () => {},
      }),
    ).rejects.toThrow(
      /etcd exited during start-up; last lines of its log:\n.*cannot open data dir: permission denied/,
    );
    await down('broken');
  });

  it('says Go is missing when a binary has to be built without it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'kanaria-cache-'));
    const env = { PATH: '/usr/bin:/bin', HOME: empty, KANARIA_CACHE_DIR: empty };
    await expect(up({ name: 'nogo', basePort: 18500, env, log: () => {} })).rejects.toThrow(
      /Go is not installed/,
    );
  });

  it('reports a build that fails with the tail of its log', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'kanaria-cache-'));
    const env = {
      ...process.env,
      KUBEBUILDER_ASSETS: '',
      PATH: `/usr/local/go/bin:/usr/bin:/bin`,
      KANARIA_CACHE_DIR: empty,
      GOPROXY: 'off',
      GOFLAGS: '-mod=mod',
      GOMODCACHE: join(empty, 'mod'),
    };
    await expect(up({ name: 'nobuild', basePort: 18520, env, log: () => {} })).rejects.toThrow(
      /building etcd failed/,
    );
  });
});
