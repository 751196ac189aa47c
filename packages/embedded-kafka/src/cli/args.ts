import { parseListener, type ListenerSpec } from '../security/listeners.js';
import { SASL_MECHANISMS, type SaslMechanism } from '../security/sasl.js';

/** Parsed `weir-kafka` command line. */
export interface CliOptions {
  clusters: number;
  brokers: number;
  port: number;
  host: string;
  dataDir?: string;
  topics: Array<{ name: string; partitions: number }>;
  autoCreateTopics: boolean;
  listeners: ListenerSpec[];
  tls: { certFile?: string; keyFile?: string; caFile?: string };
  users: Record<string, string>;
  saslMechanisms?: SaslMechanism[];
  superUsers: string[];
  authorizer: boolean;
  maxRequestBytes?: number;
  help: boolean;
}

export const USAGE = `Usage: weir-kafka [--clusters N] [--brokers M] [--port P] [--host H] [--data-dir D]
                  [--topic name[:partitions]]... [--auto-create-topics]
                  [--listener BROKER:[NAME=]PROTOCOL:PORT]... [--tls-cert F --tls-key F [--tls-ca F]]
                  [--user NAME:PASSWORD]... [--sasl-mechanisms PLAIN,SCRAM-SHA-256,SCRAM-SHA-512]
                  [--authorizer] [--super-user NAME]... [--max-request-bytes B]
Cluster c, broker b listens on P + c*M + b (P = 0: ephemeral ports) unless --listener gives it
listeners (PROTOCOL: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL; SSL ones need --tls-cert/--tls-key).
With --user, brokers without --listener speak SASL_PLAINTEXT. --authorizer enforces ACLs (deny
unless allowed; super users pass). With --data-dir, cluster c stores its data in D/cluster-<c>.
Prints one JSON line per cluster when ready; stops on SIGTERM/SIGINT.`;

function positiveInt(flag: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${raw ?? 'nothing'}`);
  return n;
}

/** Parses argv (without node and script); throws with a message on bad input. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = { clusters: 1, brokers: 1, port: 0, host: '127.0.0.1', topics: [], autoCreateTopics: false, listeners: [], tls: {}, users: {}, superUsers: [], authorizer: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--clusters': opts.clusters = positiveInt(flag, value(), 1); break;
      case '--brokers': opts.brokers = positiveInt(flag, value(), 1); break;
      case '--port': opts.port = positiveInt(flag, value(), 0); break;
      case '--host': opts.host = value() ?? opts.host; break;
      case '--data-dir': opts.dataDir = value(); break;
      case '--auto-create-topics': opts.autoCreateTopics = true; break;
      case '--topic': {
        const spec = value();
        if (!spec) throw new Error('--topic needs name[:partitions]');
        const [name, parts] = spec.split(':');
        opts.topics.push({ name: name!, partitions: parts === undefined ? 1 : positiveInt('--topic partitions', parts, 1) });
        break;
      }
      case '--listener': opts.listeners.push(parseListener(value() ?? '')); break;
      case '--tls-cert': opts.tls.certFile = value(); break;
      case '--tls-key': opts.tls.keyFile = value(); break;
      case '--tls-ca': opts.tls.caFile = value(); break;
      case '--user': {
        const spec = value() ?? '';
        const colon = spec.indexOf(':');
        if (colon < 1) throw new Error('--user needs NAME:PASSWORD');
        opts.users[spec.slice(0, colon)] = spec.slice(colon + 1);
        break;
      }
      case '--sasl-mechanisms': {
        const list = (value() ?? '').split(',') as SaslMechanism[];
        for (const m of list) if (!SASL_MECHANISMS.includes(m)) throw new Error(`--sasl-mechanisms: unknown mechanism ${m}`);
        opts.saslMechanisms = list;
        break;
      }
      case '--authorizer': opts.authorizer = true; break;
      case '--max-request-bytes': opts.maxRequestBytes = positiveInt(flag, value(), 1); break;
      case '--super-user': opts.superUsers.push(value() ?? ''); break;
      case '-h':
      case '--help': opts.help = true; break;
      default: throw new Error(`unknown argument ${arg}`);
    }
  }
  return opts;
}
