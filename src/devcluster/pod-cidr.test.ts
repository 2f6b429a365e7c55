import { describe, expect, it } from 'vitest';
import { NETNS_POD_CIDR, podCidrProblem } from './pod-cidr.ts';

describe('podCidrProblem', () => {
  it('accepts the network namespace range and other unicast networks', () => {
    expect(podCidrProblem(NETNS_POD_CIDR)).toBeUndefined();
    expect(podCidrProblem('10.244.0.0/16')).toBeUndefined();
    expect(podCidrProblem('198.18.4.0/24')).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(podCidrProblem('198.18.0.0')).toMatch(/not an IPv4 CIDR/);
    expect(podCidrProblem('fd00::/64')).toMatch(/not an IPv4 CIDR/);
    expect(podCidrProblem('198.300.0.0/16')).toMatch(/not an IPv4 CIDR/);
    expect(podCidrProblem('198.18.0.0/31')).toMatch(/prefix length/);
    expect(podCidrProblem('198.18.0.1/16')).toBe(
      '"198.18.0.1/16" has host bits set: write its network address (198.18.0.0/16)',
    );
    expect(podCidrProblem('127.0.0.0/8')).toMatch(/loopback/);
    expect(podCidrProblem('169.254.0.0/16')).toMatch(/link-local/);
    expect(podCidrProblem('224.0.0.0/8')).toMatch(/not a unicast range/);
  });
});
