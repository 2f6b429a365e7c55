/** Kubernetes object types, re-exported so that only kube/ imports the client library. */
export type {
  KubernetesObject,
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1Ingress,
  V1IngressBackend,
  V1Lease,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Secret,
  V1Service,
  V1ServicePort,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
