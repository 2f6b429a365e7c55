/**
 * Things worth a look that are not among the asserted invariants, counted on the same record:
 *  - a revision recorded as Promoting although the canary Ingress never carried maxWeight in its release
 *    (its last analysis step ran with less traffic than the schedule says);
 *  - a canary Ingress write with traffic while the target runs a tag whose release the Canary's status
 *    has not recorded yet (traffic for a revision no analysis has started for);
 *  - a Canary status whose `pendingOutcome` grew to more events than one promotion or rollback records (2):
 *    an outcome that was not cleared before the next one was appended to it (delivered again each time).
 */
import { byNamespace, revisionTags } from './invariants.ts';
import type { Observation } from './types.ts';

export interface Note {
  kind: 'promoted-below-max-weight' | 'traffic-to-unrecorded-revision' | 'outcomes-piled-up';
  ns: string;
  rv: number;
  detail: string;
}

export function findNotes(observations: readonly Observation[], maxWeight: number): Note[] {
  const notes: Note[] = [];
  for (const [ns, lane] of byNamespace(observations)) {
    const tags = revisionTags(lane);
    const atMax = new Set<string>();
    const promoted = new Set<string>();
    let target = '';
    let revision = '';
    let pending = 0;
    for (const o of lane) {
      if (o.kind === 'target') target = o.tag;
      if (o.kind === 'ingress') {
        if (o.weight >= maxWeight) atMax.add(revision);
        const recorded = tags.get(revision);
        if ((o.weight > 0 || o.header !== undefined) && recorded !== undefined && recorded !== target)
          notes.push({
            kind: 'traffic-to-unrecorded-revision',
            ns,
            rv: o.rv,
            detail: `canary weight ${o.weight} written while the target runs ${target} and the status is about ${recorded}`,
          });
      }
      if (o.kind !== 'status') continue;
      revision = o.revision;
      if ((o.pendingEvents ?? 0) > Math.max(2, pending))
        notes.push({
          kind: 'outcomes-piled-up',
          ns,
          rv: o.rv,
          detail: `status.pendingOutcome holds ${o.pendingEvents} events (${tags.get(revision)} ${o.phase})`,
        });
      pending = o.pendingEvents ?? 0;
      if (o.phase === 'Promoting' && !promoted.has(revision)) {
        promoted.add(revision);
        if (!atMax.has(revision))
          notes.push({
            kind: 'promoted-below-max-weight',
            ns,
            rv: o.rv,
            detail: `${tags.get(revision)} recorded as Promoting before the canary Ingress carried weight ${maxWeight} for it`,
          });
      }
    }
  }
  return notes;
}
