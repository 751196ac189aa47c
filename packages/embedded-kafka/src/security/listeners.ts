/** Listener model: which security protocol a port speaks, per broker. */

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/** One listener of one broker, as given in options or on the command line. */
export interface ListenerSpec {
  /** Broker id the listener belongs to. */
  broker: number;
  protocol: SecurityProtocol;
  /** Port to listen on; 0 = ephemeral. */
  port: number;
  /**
   * Listener name; Metadata and FindCoordinator answer with the endpoints of the listener the
   * request came in on, as Kafka does. Default: the protocol name.
   */
  name?: string;
}

/** A listener after defaults are applied. */
export interface ResolvedListener {
  readonly broker: number;
  readonly protocol: SecurityProtocol;
  readonly name: string;
  readonly port: number;
}

export const usesTls = (p: SecurityProtocol): boolean => p === 'SSL' || p === 'SASL_SSL';
export const usesSasl = (p: SecurityProtocol): boolean => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';

/**
 * Listeners of every broker: the explicit ones, and for a broker without any the default
 * (`defaultProtocol` on basePort + id, or an ephemeral port when basePort is 0).
 */
export function resolveListeners(brokers: number, basePort: number, defaultProtocol: SecurityProtocol, specs: readonly ListenerSpec[]): ResolvedListener[] {
  const out: ResolvedListener[] = [];
  for (const s of specs) {
    if (!Number.isInteger(s.broker) || s.broker < 0 || s.broker >= brokers) throw new Error(`listener for unknown broker ${s.broker}`);
    if (!SECURITY_PROTOCOLS.includes(s.protocol)) throw new Error(`unknown security protocol ${String(s.protocol)}`);
    if (!Number.isInteger(s.port) || s.port < 0 || s.port > 65535) throw new Error(`bad listener port ${s.port}`);
    const name = s.name ?? s.protocol;
    if (out.some((l) => l.broker === s.broker && l.name === name)) throw new Error(`broker ${s.broker} has two listeners named ${name}`);
    out.push({ broker: s.broker, protocol: s.protocol, name, port: s.port });
  }
  for (let id = 0; id < brokers; id++) {
    if (!out.some((l) => l.broker === id)) out.push({ broker: id, protocol: defaultProtocol, name: defaultProtocol, port: basePort === 0 ? 0 : basePort + id });
  }
  return out;
}

/** Parses `BROKER:PROTOCOL:PORT` or `BROKER:NAME=PROTOCOL:PORT` (the CLI's `--listener`). */
export function parseListener(spec: string): ListenerSpec {
  const m = /^(\d+):(?:([A-Za-z0-9_]+)=)?([A-Z_]+):(\d+)$/.exec(spec);
  if (!m || !SECURITY_PROTOCOLS.includes(m[3] as SecurityProtocol)) {
    throw new Error(`--listener needs BROKER:[NAME=]PROTOCOL:PORT with PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')}, got ${spec}`);
  }
  return { broker: Number(m[1]), protocol: m[3] as SecurityProtocol, port: Number(m[4]), ...(m[2] ? { name: m[2] } : {}) };
}
