import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claims, mayAct, ownerOf, viewOf, type PeerView } from './ownership.ts';

const KEYS = Array.from({ length: 1000 }, (_, i) => `team-${i % 50}/app-${i}`);

describe('sharding ownership', () => {
  it('spreads 1,000 Canaries evenly over the members', () => {
    for (const view of [viewOf(['a', 'b']), viewOf(['a', 'b', 'c', 'd'])]) {
      const counts = new Map<string, number>();
      for (const key of KEYS) counts.set(ownerOf(view, key)!, (counts.get(ownerOf(view, key)!) ?? 0) + 1);
      const fair = KEYS.length / view.length;
      console.log(`ownership over ${view.length} members: ${[...counts.values()].join(', ')}`);
      for (const member of view) expect(Math.abs((counts.get(member) ?? 0) - fair)).toBeLessThan(fair * 0.15);
    }
  });

  it('moves only the Canaries of a member that joins or leaves', () => {
    const before = viewOf(['a', 'b', 'c']);
    const joined = viewOf(['a', 'b', 'c', 'd']);
    const left = viewOf(['a', 'c']);
    for (const key of KEYS) {
      const owner = ownerOf(before, key)!;
      const afterJoin = ownerOf(joined, key)!;
      if (afterJoin !== owner) expect(afterJoin).toBe('d');
      if (owner !== 'b') expect(ownerOf(left, key)).toBe(owner);
    }
  });

  it('lets a replica act only on what it claims and no live peer claims', () => {
    const self: PeerView = { id: 'a', view: ['a', 'b'] };
    const key = KEYS.find((k) => ownerOf(['a', 'b'], k) === 'a' && ownerOf(['b'], k) === 'b')!;
    expect(mayAct(self, [{ id: 'b', view: ['a', 'b'] }], key)).toBe(true);
    // b still acts on the view in which it was alone: it claims everything.
    expect(mayAct(self, [{ id: 'b', view: ['b'] }], key)).toBe(false);
    // b has not published anything yet: it claims nothing.
    expect(mayAct(self, [{ id: 'b', view: undefined }], key)).toBe(true);
    expect(claims({ id: 'a', view: undefined }, key)).toBe(false);
  });

  it('never lets two replicas act on one Canary, whatever the order of their rounds (property)', () => {
    // A model of the membership protocol (membership.ts): each replica reads the others' published views
    // (confirming what it had published before the read), starts moving to the view of the members it saw
    // (stopping what it loses), publishes that view, may be killed (it writes nothing from then on) and is
    // dropped by the others when they next read after its Lease expired. A replica "holds" a Canary from
    // the first moment it may act on it until it publishes a view without it (the drain waits for it).
    const ids = ['r0', 'r1', 'r2', 'r3'];
    const keys = KEYS.slice(0, 60);
    type Step = { kind: 'observe' | 'begin' | 'publish' | 'kill' | 'expire' | 'join'; who: number };
    const step = fc.record({
      kind: fc.constantFrom<Step['kind']>(
        'observe',
        'observe',
        'begin',
        'publish',
        'publish',
        'kill',
        'expire',
        'join',
      ),
      who: fc.nat({ max: ids.length - 1 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        interface Replica {
          id: string;
          joined: boolean;
          dead: boolean;
          expired: boolean;
          published?: string[];
          confirmed?: string[];
          next?: string[];
          peers: PeerView[];
          held: Set<string>;
        }
        const replicas: Replica[] = ids.map((id, i) => ({
          id,
          joined: i === 0,
          dead: false,
          expired: false,
          peers: [],
          held: new Set(),
        }));
        const running = () => replicas.filter((r) => r.joined && !r.dead);
        const acts = (r: Replica, key: string) =>
          mayAct({ id: r.id, view: r.published }, r.peers, key) &&
          claims({ id: r.id, view: r.confirmed }, key) &&
          (r.next === undefined || ownerOf(r.next, key) === r.id);
        for (const s of steps) {
          const r = replicas[s.who];
          if (s.kind === 'join') r.joined = true;
          if (!r.joined || r.dead) {
            if (s.kind === 'expire' && r.dead) r.expired = true;
            continue;
          }
          if (s.kind === 'observe') {
            r.confirmed = r.published;
            r.peers = replicas
              .filter((p) => p !== r && p.joined && !p.expired)
              .map((p) => ({ id: p.id, view: p.published }));
          } else if (s.kind === 'begin') {
            const target = viewOf([r.id, ...r.peers.map((p) => p.id)]);
            if (r.published === undefined) r.published = target;
            else r.next = target;
          } else if (s.kind === 'publish' && r.next) {
            r.published = r.next;
            r.next = undefined;
            for (const key of [...r.held])
              if (!claims({ id: r.id, view: r.published }, key)) r.held.delete(key);
          } else if (s.kind === 'kill') {
            r.dead = true;
            r.held.clear();
          }
          for (const live of running()) for (const key of keys) if (acts(live, key)) live.held.add(key);
          for (const key of keys) if (running().filter((x) => x.held.has(key)).length > 1) return false;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
