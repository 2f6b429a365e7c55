/**
 * Which replica reconciles which Canary when several run with sharding (pure: no clock, no client).
 *
 * Each replica holds a member Lease and publishes in it the view it acts on: the sorted identities of the
 * replicas it counts as live. A Canary's owner in a view is chosen by rendezvous hashing (the member with
 * the highest hash of member and key), so a change of members moves only the Canaries of the members that
 * came or went.
 *
 * A replica claims the Canaries it owns in its published view. It acts on one only when, in addition,
 * no other live replica claims it in the view that replica published. Since a replica publishes a view
 * only after it has stopped acting on the Canaries it does not own there (and a dead replica stops
 * writing before its Lease expires), two replicas never act on one Canary at the same time: one stops
 * and says so before the other starts.
 */
import { createHash } from 'node:crypto';

export interface PeerView {
  id: string;
  /** The view the peer published; undefined before its first, when it claims nothing. */
  view: readonly string[] | undefined;
}

function score(member: string, key: string): bigint {
  return createHash('sha256').update(member).update('\0').update(key).digest().readBigUInt64BE(0);
}

/** The member of `view` that owns `key`; undefined for an empty view. */
export function ownerOf(view: readonly string[], key: string): string | undefined {
  let best: string | undefined;
  let bestScore = -1n;
  for (const member of view) {
    const s = score(member, key);
    if (s > bestScore || (s === bestScore && best !== undefined && member < best)) {
      best = member;
      bestScore = s;
    }
  }
  return best;
}

/** Whether `peer` claims `key`: it owns the key in the view it published. */
export function claims(peer: PeerView, key: string): boolean {
  return peer.view !== undefined && ownerOf(peer.view, key) === peer.id;
}

/**
 * Whether `self` may act on `key`: it claims it in its published view, and no other live peer claims it
 * in theirs.
 */
export function mayAct(self: PeerView, livePeers: readonly PeerView[], key: string): boolean {
  if (!claims(self, key)) return false;
  return livePeers.every((peer) => peer.id === self.id || !claims(peer, key));
}

/** A view as the sorted, distinct identities of its members. */
export function viewOf(members: Iterable<string>): string[] {
  return [...new Set(members)].sort();
}

export function sameView(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((m, i) => m === b[i]);
}
