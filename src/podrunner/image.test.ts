import { describe, expect, it } from 'vitest';
import { imageVersion } from './image.ts';

describe('imageVersion', () => {
  it('is the image tag', () => {
    expect(imageVersion('ghcr.io/stefanprodan/podinfo:6.0.1')).toBe('6.0.1');
    expect(imageVersion('podinfo:6.0.2-rc.1')).toBe('6.0.2-rc.1');
    expect(imageVersion('localhost:5000/team/podinfo:v2')).toBe('v2');
  });

  it('is latest without a tag, and ignores a registry port', () => {
    expect(imageVersion('podinfo')).toBe('latest');
    expect(imageVersion('localhost:5000/podinfo')).toBe('latest');
  });

  it('drops a digest after a tag, and names a digest-only image by the digest', () => {
    expect(imageVersion('podinfo:6.0.1@sha256:0123456789abcdef0123')).toBe('6.0.1');
    expect(imageVersion('podinfo@sha256:0123456789abcdef0123')).toBe('0123456789ab');
  });
});
