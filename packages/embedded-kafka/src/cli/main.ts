import { startClusters, type EmbeddedCluster } from '../index.js';
import { USAGE, parseArgs } from './args.js';

/** `weir-kafka` entry point: starts the clusters, prints one JSON line each, serves until a signal. */
async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const clusters: EmbeddedCluster[] = await startClusters(opts.clusters, {
    brokers: opts.brokers,
    host: opts.host,
    basePort: opts.port,
    dataDir: opts.dataDir,
    autoCreateTopics: opts.autoCreateTopics,
    topics: opts.topics,
    listeners: opts.listeners,
    ...(opts.authorizer ? { authorizer: { superUsers: opts.superUsers } } : {}),
    ...(opts.maxRequestBytes ? { limits: { maxRequestBytes: opts.maxRequestBytes } } : {}),
    ...(opts.tls.certFile || opts.tls.keyFile ? { tls: opts.tls } : {}),
    ...(Object.keys(opts.users).length > 0 ? { sasl: { users: opts.users, ...(opts.saslMechanisms ? { mechanisms: opts.saslMechanisms } : {}) } } : {}),
    logger: (level, message) => {
      if (level === 'warn' || level === 'error') process.stderr.write(`[${level}] ${message}\n`);
    },
  });
  const listenersOf = (c: EmbeddedCluster): Record<string, string[]> => {
    const names = [...new Set(c.brokers.flatMap((b) => b.listeners.map((l) => l.name)))];
    return Object.fromEntries(names.map((n) => [n, c.bootstrapServersFor(n)]));
  };
  clusters.forEach((c, i) => process.stdout.write(`${JSON.stringify({ cluster: i, clusterId: c.clusterId, bootstrapServers: c.bootstrapServers, listeners: listenersOf(c) })}\n`));
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    Promise.all(clusters.map((c) => c.stop())).then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err) => {
  process.stderr.write(`weir-kafka: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
