/** Per-broker limits that keep a hostile or broken client from exhausting the process. */
export interface BrokerLimits {
  /** Largest request frame (Kafka's socket.request.max.bytes, default 100 MiB); larger ones close the connection. */
  maxRequestBytes: number;
  /** Requests read but not yet answered per connection before the broker stops reading from it. */
  maxInFlightRequestsPerConnection: number;
  /** Open connections per broker (all listeners); further ones are closed on accept. */
  maxConnectionsPerBroker: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  maxRequestBytes: 104857600,
  maxInFlightRequestsPerConnection: 100,
  maxConnectionsPerBroker: 1000,
};

export function resolveLimits(opts: Partial<BrokerLimits> = {}): BrokerLimits {
  const out = { ...DEFAULT_LIMITS, ...opts };
  for (const [k, v] of Object.entries(out)) if (!Number.isInteger(v) || v < 1) throw new Error(`limits.${k} must be a positive integer`);
  return out;
}
