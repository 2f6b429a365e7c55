import { createServer } from 'node:net';

/** The last address of hack/in-netns.sh's pod range (198.18.0.0/16); pods get the first ones. */
const PROBE_ADDRESS = '198.18.255.254';

async function canListenOn(address: string): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: address, port: 0 }, () => server.close(() => resolve(true)));
  });
}

/** Whether the pod CIDR is routed locally here, i.e. this runs inside hack/in-netns.sh's namespace. */
export async function insidePodNetwork(): Promise<boolean> {
  return canListenOn(PROBE_ADDRESS);
}

/** Why pod IPs cannot be listened on here, for an error message. */
export const OUTSIDE_POD_NETWORK = `${PROBE_ADDRESS} cannot be listened on`;
