/**
 * The fake nodes' pod CIDR. KWOK gives each pod the next free address of its node's `spec.podCIDR`
 * (from the network address on, one pool per CIDR, addresses reused after a pod is deleted), and
 * ignores its own `--cidr` flag then. Processes can only listen on those addresses where the range is
 * routed to a local device: inside the network namespace of `hack/in-netns.sh`, which routes
 * 198.18.0.0/16 on its loopback.
 */
export const NETNS_POD_CIDR = '198.18.0.0/16';

/** Why `cidr` cannot be the fake nodes' pod CIDR, or undefined when it can. */
export function podCidrProblem(cidr: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return `"${cidr}" is not an IPv4 CIDR like ${NETNS_POD_CIDR}`;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return `"${cidr}" is not an IPv4 CIDR`;
  if (bits < 8 || bits > 30) return `"${cidr}": the prefix length must be between 8 and 30`;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  if (address % 2 ** (32 - bits) !== 0)
    return `"${cidr}" has host bits set: write its network address (${networkAddress(address, bits)}/${bits})`;
  // kube-apiserver refuses these in EndpointSlices and Endpoints, so pods there would have no endpoints.
  if (octets[0] === 127) return `"${cidr}" is loopback, which kube-apiserver refuses as an endpoint address`;
  if (octets[0] === 169 && octets[1] === 254)
    return `"${cidr}" is link-local, refused as an endpoint address`;
  if (octets[0] === 0 || octets[0] >= 224) return `"${cidr}" is not a unicast range`;
  return undefined;
}

function networkAddress(address: number, bits: number): string {
  const network = address - (address % 2 ** (32 - bits));
  return [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
}
