/**
 * ACL model and authorizer, following Kafka's StandardAuthorizer: DENY wins, ALLOW of an operation
 * also allows the operations it implies, no matching ACL means denied (allow.everyone.if.no.acl.found
 * is false by default), super users pass everything.
 */

/** Wire codes of org.apache.kafka.common.resource.ResourceType. */
export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
/** Wire codes of PatternType. */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
/** Wire codes of AclOperation. */
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
/** Wire codes of AclPermissionType. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

export type ResourceTypeName = Exclude<keyof typeof ResourceType, 'UNKNOWN' | 'ANY'>;
export type OperationName = Exclude<keyof typeof AclOperation, 'UNKNOWN' | 'ANY'>;

/** The only name a CLUSTER resource can have. */
export const CLUSTER_RESOURCE = 'kafka-cluster';
const WILDCARD = '*';

/** One ACL as it travels in CreateAcls / DescribeAcls (numeric wire codes). */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** DescribeAcls / DeleteAcls filter: null strings and ANY codes match everything. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** ACLs as options take them: names instead of wire codes. */
export interface AclSpec {
  resourceType: ResourceTypeName;
  resourceName: string;
  patternType?: 'LITERAL' | 'PREFIXED';
  /** `User:alice`, or `User:*` for everyone. */
  principal: string;
  host?: string;
  operation: OperationName;
  permission?: 'ALLOW' | 'DENY';
}

export function bindingOf(spec: AclSpec): AclBinding {
  return {
    resourceType: ResourceType[spec.resourceType],
    resourceName: spec.resourceName,
    patternType: PatternType[spec.patternType ?? 'LITERAL'],
    principal: spec.principal,
    host: spec.host ?? WILDCARD,
    operation: AclOperation[spec.operation],
    permissionType: AclPermission[spec.permission ?? 'ALLOW'],
  };
}

/** Why Kafka refuses to store a binding (it answers INVALID_REQUEST with this text), or null. */
export function invalidBinding(b: AclBinding): string | null {
  const concrete = (v: number, codes: object): boolean => v > 1 && Object.values(codes).includes(v);
  if (!concrete(b.resourceType, ResourceType)) return `Invalid resource type ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Invalid pattern type ${b.patternType}`;
  if (!concrete(b.operation, AclOperation)) return `Invalid operation ${b.operation}`;
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY) return `Invalid permission type ${b.permissionType}`;
  if (!/^[^:]+:.+$/.test(b.principal)) return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  if (b.resourceName === '') return 'Resource name should not be empty';
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE) return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE}`;
  return null;
}

/** Whether a filter matches a stored binding (Kafka's AclBindingFilter.matches). */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== b.operation) return false;
  if (f.permissionType !== AclPermission.ANY && f.permissionType !== b.permissionType) return false;
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.patternType === PatternType.MATCH) return f.resourceName === null || resourceMatches(b, f.resourceName);
  if (f.patternType !== PatternType.ANY && f.patternType !== b.patternType) return false;
  return f.resourceName === null || f.resourceName === b.resourceName;
}

/** Whether a binding's resource pattern covers a concrete resource name. */
function resourceMatches(b: AclBinding, name: string): boolean {
  if (b.patternType === PatternType.PREFIXED) return name.startsWith(b.resourceName);
  return b.resourceName === WILDCARD || b.resourceName === name;
}

/** Operations an ALLOW of `op` grants too (Kafka: READ/WRITE/DELETE/ALTER imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS). */
const IMPLIED_BY: Record<number, number[]> = {
  [AclOperation.DESCRIBE]: [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.ALTER_CONFIGS],
};

/** Authorizer settings (`authorizer` option of startCluster). */
export interface AuthorizerOptions {
  /** Principals that pass every check (`User:admin`; a bare name means `User:<name>`). */
  superUsers?: string[];
  /** allow.everyone.if.no.acl.found: a resource without any ACL is open. Default false, as in Kafka. */
  allowEveryoneIfNoAclFound?: boolean;
  /** ACLs present from the start (with `dataDir`: added to the ACLs saved there by an earlier run). */
  acls?: AclSpec[];
}

/** Where an authorizer's bindings are kept between runs (the cluster's `dataDir`). */
export interface AclPersistence {
  /** Bindings saved by an earlier run; the `acls` of the options are added to them. */
  restored: readonly AclBinding[];
  /** Called with every binding after CreateAcls / DeleteAcls changed them. */
  save(bindings: AclBinding[]): void;
}

export class Authorizer {
  private readonly acls: AclBinding[] = [];
  private readonly superUsers: Set<string>;
  private readonly allowIfNone: boolean;
  private readonly save: ((bindings: AclBinding[]) => void) | null = null;

  constructor(opts: AuthorizerOptions, persistence?: AclPersistence) {
    this.superUsers = new Set((opts.superUsers ?? []).map((u) => (u.includes(':') ? u : `User:${u}`)));
    this.allowIfNone = opts.allowEveryoneIfNoAclFound ?? false;
    for (const b of persistence?.restored ?? []) this.add(b);
    for (const spec of opts.acls ?? []) {
      const b = bindingOf(spec);
      const bad = invalidBinding(b);
      if (bad) throw new Error(`invalid ACL: ${bad}`);
      this.add(b);
    }
    // Set last: the option ACLs are added again at every start, so they need no save.
    this.save = persistence?.save ?? null;
  }

  /** Stores a binding (duplicates are kept once, as Kafka does). */
  add(b: AclBinding): void {
    if (this.acls.some((a) => sameBinding(a, b))) return;
    this.acls.push({ ...b });
    this.changed();
  }

  /** Every stored binding (copies). */
  bindings(): AclBinding[] {
    return this.acls.map((b) => ({ ...b }));
  }

  list(filter: AclFilter): AclBinding[] {
    return this.acls.filter((b) => filterMatches(filter, b));
  }

  /** Removes and returns the bindings a filter matches. */
  remove(filter: AclFilter): AclBinding[] {
    const gone = this.list(filter);
    for (const b of gone) this.acls.splice(this.acls.indexOf(b), 1);
    if (gone.length > 0) this.changed();
    return gone;
  }

  authorize(principal: string, host: string, operation: number, resourceType: number, resourceName: string): boolean {
    if (this.superUsers.has(principal)) return true;
    const relevant = this.acls.filter(
      (b) => b.resourceType === resourceType && resourceMatches(b, resourceName) && (b.principal === principal || b.principal === 'User:*') && (b.host === WILDCARD || b.host === host),
    );
    if (relevant.length === 0 && this.allowIfNone && !this.acls.some((b) => b.resourceType === resourceType && resourceMatches(b, resourceName))) return true;
    const covers = (b: AclBinding, ops: number[]): boolean => b.operation === AclOperation.ALL || ops.includes(b.operation);
    if (relevant.some((b) => b.permissionType === AclPermission.DENY && covers(b, [operation]))) return false;
    return relevant.some((b) => b.permissionType === AclPermission.ALLOW && covers(b, [operation, ...(IMPLIED_BY[operation] ?? [])]));
  }

  private changed(): void {
    this.save?.(this.bindings());
  }
}

function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType && a.principal === b.principal
    && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;
}
