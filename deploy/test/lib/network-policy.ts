/**
 * Evaluates Kubernetes NetworkPolicies (ingress only) the way the API defines them, to ask "may pod A open a
 * connection to port P of pod B?" about rendered manifests. IP blocks are not modelled: a peer given only by ipBlock
 * matches no pod here.
 */
import type { K8sObject } from './kustomize';

export interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** container ports by name, e.g. { http: 3003 } */
  ports: Record<string, number>;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Namespaces carry kubernetes.io/metadata.name = their name (set by the API server since Kubernetes 1.21). */
const namespaceLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });

function peerMatches(peer: any, policyNamespace: string, from: Pod): boolean {
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(from.namespace)) : from.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, from.labels) : true;
  return nsOk && podOk;
}

function portMatches(rulePorts: any[] | undefined, to: Pod, port: string): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  const number = to.ports[port];
  return rulePorts.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port || p.port === number));
}

export function ingressAllowed(policies: K8sObject[], from: Pod, to: Pod, port: string): boolean {
  if (to.ports[port] === undefined) throw new Error(`${to.name} has no port named ${port}`);
  const applying = policies.filter((p) => p.kind === 'NetworkPolicy'
    && p.metadata.namespace === to.namespace
    && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress')
    && selects(p.spec.podSelector, to.labels));
  if (applying.length === 0) return true;
  return applying.some((p) => (p.spec.ingress ?? []).some((rule: any) => {
    const peers = rule.from ?? [];
    return (peers.length === 0 || peers.some((peer: any) => peerMatches(peer, p.metadata.namespace as string, from)))
      && portMatches(rule.ports, to, port);
  }));
}
