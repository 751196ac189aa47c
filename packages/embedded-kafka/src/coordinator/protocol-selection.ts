import type { JoinGroupProtocol } from './group-messages.js';

/** What protocol selection needs to know of a member: its protocols in preference order. */
export interface ProtocolVoter {
  readonly protocols: readonly JoinGroupProtocol[];
}

/** Protocol names every voter supports, in the first voter's preference order. */
export function commonProtocols(voters: Iterable<ProtocolVoter>): string[] {
  let common: string[] | null = null;
  for (const voter of voters) {
    const names = new Set(voter.protocols.map((p) => p.name));
    common = common === null ? [...names] : common.filter((name) => names.has(name));
  }
  return common ?? [];
}

/**
 * Kafka's rule: among the protocols all members support, each member votes for the first one in its
 * own preference list; the protocol with most votes wins (ties go to the earlier candidate).
 */
export function selectProtocol(voters: readonly ProtocolVoter[]): string | null {
  const candidates = commonProtocols(voters);
  if (candidates.length === 0) return null;
  const candidateSet = new Set(candidates);
  const votes = new Map<string, number>();
  for (const voter of voters) {
    const choice = voter.protocols.find((p) => candidateSet.has(p.name));
    if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
  }
  let best = candidates[0]!;
  for (const name of candidates) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
  return best;
}

/** Whether a (re)joining member can share a protocol with every other current member. */
export function canJoinWith(others: readonly ProtocolVoter[], protocols: readonly JoinGroupProtocol[]): boolean {
  if (protocols.length === 0) return false;
  if (others.length === 0) return true;
  const shared = new Set(commonProtocols(others));
  return protocols.some((p) => shared.has(p.name));
}
