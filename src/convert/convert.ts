/**
 * Converts Flagger documents (flagger.app/v1beta1 Canary, MetricTemplate, AlertProvider) to
 * Kanaria (kanaria.dev/v1beta1). Pure: no I/O. Fields with an equivalent are kept, fields without
 * one are removed with a warning, and documents that cannot work at all raise a ConversionError.
 */
import { KANARIA_API_VERSION, convertCanarySpec } from './canary.ts';
import {
  type ConversionIssue,
  type ConversionWarning,
  type Ctx,
  NO_EQUIVALENT,
  drop,
  isRecord,
  warn,
} from './schema.ts';
import { convertAlertProviderSpec, convertMetricTemplateSpec } from './templates.ts';

export type { ConversionIssue, ConversionWarning } from './schema.ts';
export { KANARIA_API_VERSION } from './canary.ts';

export interface ConversionResult {
  /** One output per input document, in the same order; non-Flagger documents are the input objects. */
  documents: object[];
  warnings: ConversionWarning[];
}

/** Raised when a document cannot be converted into one that works; lists every problem found. */
export class ConversionError extends Error {
  readonly code = 'ERR_KANARIA_CONVERSION';
  readonly issues: readonly ConversionIssue[];

  constructor(issues: readonly ConversionIssue[], options?: ErrorOptions) {
    super(
      issues.length === 1
        ? `cannot convert ${formatFinding(issues[0])}`
        : `cannot convert:\n${issues.map((i) => `  ${formatFinding(i)}`).join('\n')}`,
      options,
    );
    this.name = 'ConversionError';
    this.issues = issues;
  }
}

/** `Canary/podinfo: spec.service.gateways: Istio gateways have no equivalent …` */
export function formatFinding(finding: ConversionWarning): string {
  return [finding.document, finding.field, finding.message].filter((s) => s !== '').join(': ');
}

const FLAGGER_GROUP = 'flagger.app/';
const CONVERTERS: Record<string, (spec: unknown, ctx: Ctx) => unknown> = {
  Canary: convertCanarySpec,
  MetricTemplate: convertMetricTemplateSpec,
  AlertProvider: convertAlertProviderSpec,
};

/** Metadata the API server sets; it describes the Flagger object, so it is dropped without a warning. */
const SERVER_SET_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];
/** kubectl's copy of the Flagger object; kept, it would make `kubectl apply` diff against the wrong object. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function isFlaggerDocument(doc: unknown): doc is Record<string, unknown> {
  return isRecord(doc) && typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith(FLAGGER_GROUP);
}

function documentName(doc: Record<string, unknown>, index: number): string {
  const name =
    isRecord(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '<unnamed>';
  return typeof doc.kind === 'string' ? `${doc.kind}/${name}` : `document ${index + 1}`;
}

function convertMetadata(metadata: unknown, ctx: Ctx): unknown {
  if (!isRecord(metadata)) return metadata;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (SERVER_SET_METADATA.includes(key)) continue;
    if (key === 'annotations' && isRecord(value) && Object.hasOwn(value, LAST_APPLIED)) {
      const rest = Object.fromEntries(Object.entries(value).filter(([k]) => k !== LAST_APPLIED));
      if (Object.keys(rest).length > 0) out.annotations = rest;
    } else if (key === 'finalizers' && Array.isArray(value)) {
      value.forEach((f, i) => {
        if (typeof f === 'string' && f.includes('flagger.app'))
          warn(
            ctx,
            `metadata.finalizers[${i}]`,
            `${f} belongs to Flagger and would block deletion of the Kanaria object; removed`,
          );
      });
      const kept = value.filter((f) => !(typeof f === 'string' && f.includes('flagger.app')));
      if (kept.length > 0) out.finalizers = kept;
    } else out[key] = value;
  }
  return out;
}

function convertFlagger(doc: Record<string, unknown>, ctx: Ctx): Record<string, unknown> {
  const convertSpec = typeof doc.kind === 'string' ? CONVERTERS[doc.kind] : undefined;
  if (!convertSpec) {
    warn(ctx, 'kind', `${String(doc.kind)} is not a Flagger kind Kanaria converts; left unchanged`);
    return doc;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'apiVersion') out.apiVersion = KANARIA_API_VERSION;
    else if (key === 'kind') out.kind = value;
    else if (key === 'metadata') out.metadata = convertMetadata(value, ctx);
    else if (key === 'spec') out.spec = convertSpec(value, ctx);
    else if (key !== 'status') drop(NO_EQUIVALENT)(value, key, ctx);
  }
  if (!Object.hasOwn(doc, 'spec')) convertSpec(undefined, ctx);
  return out;
}

function convertOne(
  doc: unknown,
  index: number,
  warnings: ConversionWarning[],
  issues: ConversionIssue[],
): object {
  if (!isRecord(doc)) {
    issues.push({ document: `document ${index + 1}`, field: '', message: 'is not a Kubernetes object' });
    return {};
  }
  // `kubectl get … -o yaml` wraps several objects in a List.
  if (doc.apiVersion === 'v1' && doc.kind === 'List' && Array.isArray(doc.items)) {
    const items = doc.items.map((item, i) =>
      isFlaggerDocument(item) ? convertOne(item, i, warnings, issues) : item,
    );
    return items.some((item, i) => item !== (doc.items as unknown[])[i]) ? { ...doc, items } : doc;
  }
  if (!isFlaggerDocument(doc)) return doc;
  const ctx: Ctx = { document: documentName(doc, index), warnings, issues };
  return convertFlagger(doc, ctx);
}

/**
 * Converts each Flagger document to Kanaria and passes every other document through unchanged
 * (the same object). Throws a ConversionError listing all problems when any document cannot work.
 */
export function convertDocuments(docs: unknown[]): ConversionResult {
  const warnings: ConversionWarning[] = [];
  const issues: ConversionIssue[] = [];
  const documents = docs.map((doc, i) => convertOne(doc, i, warnings, issues));
  if (issues.length > 0) throw new ConversionError(issues);
  return { documents, warnings };
}
