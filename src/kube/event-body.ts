import { V1MicroTime, type EventsV1Event } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';

/** What Kanaria says in one Event (events.k8s.io/v1) about one object. */
export interface EventInput {
  namespace: string;
  regarding: { apiVersion: string; kind: string; name: string; uid?: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
  now: Date;
}

/** The note the API server accepts at most, in characters. */
const MAX_NOTE = 1000;

/** The Event to create: a name unique per Event, the note cut to what the API server accepts. */
export function eventBody(e: EventInput, reportingInstance: string): EventsV1Event {
  return {
    metadata: { name: `${e.regarding.name}.${randomBytes(8).toString('hex')}`, namespace: e.namespace },
    eventTime: new V1MicroTime(e.now.getTime()),
    reportingController: 'kanaria.dev/controller',
    reportingInstance,
    action: e.action,
    reason: e.reason,
    note: e.note.slice(0, MAX_NOTE),
    type: e.type,
    regarding: { ...e.regarding, namespace: e.namespace },
  };
}
