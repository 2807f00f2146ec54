/**
 * Strimzi's kafka.strimzi.io/v1 resources (Strimzi 1.2), as far as deploy/k8s/kafka uses them: field names, types and
 * enumerations follow Strimzi's API model (io.strimzi.api.kafka.model.*). No npm package ships Strimzi's CRD schemas,
 * so the manifests are checked against these declarations instead: any field not declared here fails the check.
 * Before using a new field, add it here from Strimzi's API reference.
 */
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';

type ConfigValue = string | number | boolean;

interface ScramSha512Auth { type: 'scram-sha-512' }
interface TlsAuth { type: 'tls' }

export interface GenericKafkaListener {
  /** ^[a-z0-9]{1,11}$ */
  name: string;
  /** 9092 or higher, not 9404 or 9999 */
  port: number;
  type: 'internal' | 'route' | 'loadbalancer' | 'nodeport' | 'ingress' | 'cluster-ip' | 'tlsroute';
  tls: boolean;
  authentication?: ScramSha512Auth | TlsAuth;
}

export interface KafkaClusterSpec {
  version?: string;
  metadataVersion?: string;
  listeners: GenericKafkaListener[];
  authorization?: { type: 'simple'; superUsers?: string[] };
  config?: Record<string, ConfigValue>;
}

interface EntityOperatorPart {
  watchedNamespace?: string;
  reconciliationIntervalMs?: number;
  resources?: IResourceRequirements;
}

export interface IKafka {
  apiVersion: 'kafka.strimzi.io/v1';
  kind: 'Kafka';
  metadata: IObjectMeta;
  spec: {
    kafka: KafkaClusterSpec;
    entityOperator?: { topicOperator?: EntityOperatorPart; userOperator?: EntityOperatorPart };
    kafkaExporter?: {
      topicRegex?: string;
      groupRegex?: string;
      topicExcludeRegex?: string;
      groupExcludeRegex?: string;
      resources?: IResourceRequirements;
    };
    maintenanceTimeWindows?: string[];
  };
}

interface PersistentClaimStorage {
  type: 'persistent-claim';
  id?: number;
  size: string;
  /** the storage class */
  class?: string;
  deleteClaim?: boolean;
  kraftMetadata?: 'shared';
}

export interface IKafkaNodePool {
  apiVersion: 'kafka.strimzi.io/v1';
  kind: 'KafkaNodePool';
  metadata: IObjectMeta;
  spec: {
    replicas: number;
    roles: Array<'controller' | 'broker'>;
    storage: { type: 'jbod'; volumes: Array<PersistentClaimStorage & { id: number }> } | PersistentClaimStorage | { type: 'ephemeral'; sizeLimit?: string };
    resources?: IResourceRequirements;
  };
}

export interface IKafkaTopic {
  apiVersion: 'kafka.strimzi.io/v1';
  kind: 'KafkaTopic';
  metadata: IObjectMeta;
  spec: {
    topicName?: string;
    partitions?: number;
    replicas?: number;
    config?: Record<string, ConfigValue>;
  };
}

type AclOperation = 'Read' | 'Write' | 'Create' | 'Delete' | 'Alter' | 'Describe' | 'ClusterAction' | 'AlterConfigs'
  | 'DescribeConfigs' | 'IdempotentWrite' | 'All';

export interface AclRule {
  type?: 'allow' | 'deny';
  resource: { type: 'topic' | 'group' | 'transactionalId'; name: string; patternType?: 'literal' | 'prefix' } | { type: 'cluster' };
  host?: string;
  operations: AclOperation[];
}

export interface IKafkaUser {
  apiVersion: 'kafka.strimzi.io/v1';
  kind: 'KafkaUser';
  metadata: IObjectMeta;
  spec: {
    authentication?: { type: 'scram-sha-512' | 'tls' | 'tls-external' };
    authorization?: { type: 'simple'; acls: AclRule[] };
  };
}
