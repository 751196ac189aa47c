import { ErrorCodes, type CreateAclsRequest, type DeleteAclsRequest, type DescribeAclsRequest } from '../../protocol/index.js';
import { invalidBinding, type AclBinding, type AclFilter } from '../../security/acls.js';
import type { ApiHandler } from '../context.js';

/** Kafka's text when no authorizer is configured (the ACL APIs then answer SECURITY_DISABLED). */
const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

/** The filter fields DescribeAcls and each DeleteAcls filter share. */
const filterOf = (f: DescribeAclsRequest): AclFilter => ({
  resourceType: f.resourceTypeFilter, resourceName: f.resourceNameFilter, patternType: f.patternTypeFilter,
  principal: f.principalFilter, host: f.hostFilter, operation: f.operation, permissionType: f.permissionType,
});

const describeError = (errorCode: number, errorMessage: string | null): any => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });

/** DescribeAcls v0-3: the matching ACLs grouped by resource pattern. */
export const describeAcls: ApiHandler = {
  apiKey: 29,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req: DescribeAclsRequest) {
    const authorizer = ctx.cluster.authorizer;
    if (!authorizer) return describeError(ErrorCodes.SECURITY_DISABLED, NO_AUTHORIZER);
    const resources = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: unknown[] }>();
    for (const b of authorizer.list(filterOf(req))) {
      const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
      let r = resources.get(key);
      if (!r) resources.set(key, (r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
      r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: [...resources.values()] };
  },
  errorBody: (_req, errorCode) => describeError(errorCode, null),
};

/** CreateAcls v0-3: each creation succeeds or fails on its own (INVALID_REQUEST for a malformed binding). */
export const createAcls: ApiHandler = {
  apiKey: 30,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req: CreateAclsRequest) {
    const authorizer = ctx.cluster.authorizer;
    const results = req.creations.map((c) => {
      if (!authorizer) return { errorCode: ErrorCodes.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER };
      const binding: AclBinding = { ...c, patternType: c.resourcePatternType };
      const bad = invalidBinding(binding);
      if (bad) return { errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: bad };
      authorizer.add(binding);
      return { errorCode: 0, errorMessage: null };
    });
    return { throttleTimeMs: 0, results };
  },
  errorBody: (req: { creations: unknown[] }, errorCode) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage: null })) }),
};

/** DeleteAcls v0-3: removes what each filter matches and lists it. */
export const deleteAcls: ApiHandler = {
  apiKey: 31,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, req: DeleteAclsRequest) {
    const authorizer = ctx.cluster.authorizer;
    const filterResults = req.filters.map((f) => {
      if (!authorizer) return { errorCode: ErrorCodes.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] };
      const removed = authorizer.remove(filterOf(f));
      return { errorCode: 0, errorMessage: null, matchingAcls: removed.map((b) => ({ errorCode: 0, errorMessage: null, ...b })) };
    });
    return { throttleTimeMs: 0, filterResults };
  },
  errorBody: (req: { filters: unknown[] }, errorCode) => ({ throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) }),
};
