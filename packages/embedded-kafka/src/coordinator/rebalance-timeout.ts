import type { JoinGroupRequest } from './group-messages.js';

/**
 * The rebalance timeout a JoinGroup sets for its member: how long the join phase waits for it and
 * how long the group waits for its SyncGroup.
 *
 * JoinGroup v0 has no RebalanceTimeoutMs field, and Kafka uses the session timeout in its place
 * (clients' JoinGroupRequest.maybeOverrideRebalanceTimeout: "Version 0 has no rebalance timeout,
 * so we use the session timeout"). A v1+ join that leaves the field unset (absent, 0 or the
 * schema default -1) is treated the same way here: Kafka would take a 0 literally and expire the
 * pending sync at once, removing the member before its SyncGroup can arrive (issue #14).
 */
export function rebalanceTimeoutOf(req: Pick<JoinGroupRequest, 'sessionTimeoutMs' | 'rebalanceTimeoutMs'>, version: number): number {
  const given = req.rebalanceTimeoutMs;
  if (version === 0 || given === undefined || given <= 0) return req.sessionTimeoutMs;
  return given;
}
