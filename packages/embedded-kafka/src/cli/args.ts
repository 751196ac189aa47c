/** Parsed `weir-kafka` command line. */
export interface CliOptions {
  clusters: number;
  brokers: number;
  port: number;
  host: string;
  dataDir?: string;
  topics: Array<{ name: string; partitions: number }>;
  autoCreateTopics: boolean;
  help: boolean;
}

export const USAGE = `Usage: weir-kafka [--clusters N] [--brokers M] [--port P] [--host H] [--data-dir D]
                  [--topic name[:partitions]]... [--auto-create-topics]
Cluster c, broker b listens on P + c*M + b (P = 0: ephemeral ports). With --data-dir, cluster c
stores its data in D/cluster-<c>. Prints one JSON line per cluster when ready; stops on SIGTERM/SIGINT.`;

function positiveInt(flag: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${raw ?? 'nothing'}`);
  return n;
}

/** Parses argv (without node and script); throws with a message on bad input. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = { clusters: 1, brokers: 1, port: 0, host: '127.0.0.1', topics: [], autoCreateTopics: false, help: false };
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
      case '-h':
      case '--help': opts.help = true; break;
      default: throw new Error(`unknown argument ${arg}`);
    }
  }
  return opts;
}
