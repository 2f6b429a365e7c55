/**
 * The version a simulated pod reports: its image's tag, like podinfo built and tagged per release.
 * `ghcr.io/stefanprodan/podinfo:6.0.1` → `6.0.1`; a registry port is not a tag
 * (`localhost:5000/podinfo` → `latest`); a digest is dropped (`podinfo:6.0.1@sha256:…` → `6.0.1`),
 * and an image given by digest alone reports the digest's first 12 hex digits.
 */
export function imageVersion(image: string): string {
  const [name, digest] = image.split('@', 2);
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon >= 0 && colon < lastSegment.length - 1) return lastSegment.slice(colon + 1);
  if (digest) return digest.replace(/^[a-z0-9]+:/, '').slice(0, 12);
  return 'latest';
}
