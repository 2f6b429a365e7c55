import { Manager } from '../../../src/controller/manager.ts';
import { DEFAULT_SELECTOR_LABELS } from '../../../src/controller/run.ts';
import type { Kube } from '../../../src/kube/client.ts';
import { KubeWriter } from '../../../src/kube/writer.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { DEFAULT_ANNOTATION_PREFIX } from '../../../src/router/nginx.ts';

/** One request the operator sent, with the part of the release it belongs to. */
export interface LedgerEntry {
  at: number;
  phase: string;
  request: string;
  /** For a status write: its phase, weight and message (a fence sends none). */
  detail?: string;
}

/**
 * Names the part of a release from a status the operator writes: `start` until the first weight above 0,
 * `step <weight>` while it analyses at that weight, `promotion` from Promoting on. Undefined for a status
 * patch that carries no phase (a fence): the part stays what it was.
 */
export type PhaseOf = (status: { phase?: unknown; canaryWeight?: unknown }) => string | undefined;

/**
 * Every request of the writers made from it, attributed to the part of the release the operator's own
 * last status write put the Canary in (a status write belongs to the part it starts).
 */
export class Ledger {
  readonly entries: LedgerEntry[] = [];
  phase = 'before';
  recording = false;
  private detail: string | undefined;

  private readonly phaseOf: PhaseOf;

  constructor(phaseOf: PhaseOf) {
    this.phaseOf = phaseOf;
  }

  note(status: object): void {
    const s = status as { phase?: unknown; canaryWeight?: unknown; message?: unknown };
    const next = this.phaseOf(s);
    if (next !== undefined) this.phase = next;
    this.detail =
      s.phase === undefined ? 'fence' : `${String(s.phase)} ${String(s.canaryWeight)}: ${String(s.message)}`;
  }

  /** A status write other than a merge patch (the outcome's JSON patch). */
  noteOther(what: string): void {
    this.detail = what;
  }

  count(verb: string, resource: string): void {
    const detail = this.detail;
    this.detail = undefined;
    if (this.recording)
      this.entries.push({ at: Date.now(), phase: this.phase, request: `${verb} ${resource}`, detail });
  }

  /** Requests by part, in the order the parts came, each with its requests by verb and resource. */
  byPhase(): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    for (const e of this.entries) {
      const m = out.get(e.phase) ?? new Map<string, number>();
      m.set(e.request, (m.get(e.request) ?? 0) + 1);
      out.set(e.phase, m);
    }
    return out;
  }

  /** Every request in order, with the time since the first. */
  list(): string {
    const t0 = this.entries[0]?.at ?? 0;
    return this.entries
      .map(
        (e) =>
          `${String(e.at - t0).padStart(6)} ms  ${e.phase.padEnd(10)} ${e.request}${e.detail ? `  (${e.detail})` : ''}`,
      )
      .join('\n');
  }

  table(): string {
    const rows = [...this.byPhase()].map(([phase, m]) => {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const detail = [...m].map(([r, n]) => `${r} ${n}`).join(', ');
      return `| ${phase} | ${total} | ${detail} |`;
    });
    return ['| part of the release | requests | by verb and resource |', '|---|---|---|', ...rows].join('\n');
  }
}

/** A KubeWriter that tells the ledger each status it writes before counting the request. */
export class LedgerWriter extends KubeWriter {
  private readonly kubeRef: Kube;
  private readonly ledger: Ledger;
  private readonly signal: AbortSignal | undefined;

  constructor(kube: Kube, ledger: Ledger, signal?: AbortSignal) {
    super(kube, 'api-budget', (verb, resource) => ledger.count(verb, resource), signal ? { signal } : {});
    this.kubeRef = kube;
    this.ledger = ledger;
    this.signal = signal;
  }

  override withSignal(signal: AbortSignal): KubeWriter {
    return new LedgerWriter(
      this.kubeRef,
      this.ledger,
      this.signal ? AbortSignal.any([this.signal, signal]) : signal,
    );
  }

  override patchCanaryStatus(
    namespace: string,
    name: string,
    status: object,
    resourceVersion?: string,
  ): Promise<string | undefined> {
    this.ledger.note(status);
    return super.patchCanaryStatus(namespace, name, status, resourceVersion);
  }

  override patchCanaryOutcome(
    namespace: string,
    name: string,
    id: string,
    outcome: object | undefined,
  ): Promise<string | undefined> {
    this.ledger.noteOther(outcome ? 'outcome kept for another attempt' : 'outcome cleared');
    return super.patchCanaryOutcome(namespace, name, id, outcome);
  }
}

/** A controller of one namespace whose every request goes through `ledger`; started. */
export async function startLedgerManager(kube: Kube, ledger: Ledger, namespace: string): Promise<Manager> {
  const manager = new Manager({
    kube,
    writer: new LedgerWriter(kube, ledger),
    log: createLogger('warn'),
    clock: Date.now,
    namespace,
    selectorLabels: DEFAULT_SELECTOR_LABELS,
    ingressAnnotationPrefix: DEFAULT_ANNOTATION_PREFIX,
  });
  await manager.start();
  return manager;
}
