/** The parts of Gateway API's HTTPRoute (gateway.networking.k8s.io/v1) that Kanaria writes and reads. */
import type { KubernetesObject } from '../kube/types.ts';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const HTTPROUTE_API_VERSION = `${GATEWAY_API_GROUP}/v1`;

export interface ParentReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  sectionName?: string;
}

export interface HTTPBackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: HTTPRouteFilter[];
}

/** The one filter Kanaria writes: response headers a backend's answers get (session affinity's cookie). */
export interface HTTPRouteFilter {
  type: 'ResponseHeaderModifier';
  responseHeaderModifier: { add?: { name: string; value: string }[] };
}

export interface HTTPValueMatch {
  type?: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: HTTPValueMatch[];
  queryParams?: HTTPValueMatch[];
  method?: string;
}

export interface HTTPRouteRule {
  matches?: HTTPRouteMatch[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface RouteCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName?: string;
  conditions?: RouteCondition[];
}

export interface HTTPRoute extends KubernetesObject {
  spec?: { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: HTTPRouteRule[] };
  status?: { parents?: RouteParentStatus[] };
}
