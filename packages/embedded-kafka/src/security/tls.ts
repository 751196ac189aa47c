/** Certificates for SSL / SASL_SSL listeners, inline (PEM) or from files. */
import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';

export interface TlsOptions {
  /** Server private key (PEM) or `keyFile`. */
  key?: string | Buffer;
  keyFile?: string;
  /** Server certificate chain (PEM) or `certFile`. */
  cert?: string | Buffer;
  certFile?: string;
  /** CA certificates that client certificates must chain to (PEM) or `caFile`; only with `requestClientCert`. */
  ca?: string | Buffer;
  caFile?: string;
  /** Ask clients for a certificate (ssl.client.auth=requested): a valid one names the principal `User:<subject>`. */
  requestClientCert?: boolean;
}

/** Server context for `tls.createServer`; throws when key or certificate is missing. */
export function tlsServerOptions(opts: TlsOptions): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  const pick = (inline: string | Buffer | undefined, file: string | undefined): string | Buffer | undefined => inline ?? (file ? readFileSync(file) : undefined);
  const key = pick(opts.key, opts.keyFile);
  const cert = pick(opts.cert, opts.certFile);
  if (!key || !cert) throw new Error('SSL listeners need tls.key/keyFile and tls.cert/certFile');
  const ca = pick(opts.ca, opts.caFile);
  // Unauthorized client certificates are not rejected at the handshake: like Kafka with
  // ssl.client.auth=requested, such a client is simply ANONYMOUS.
  return { key, cert, ...(ca ? { ca } : {}), requestCert: opts.requestClientCert ?? false, rejectUnauthorized: false };
}
