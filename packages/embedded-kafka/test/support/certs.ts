import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** PEM files of a throwaway CA and a server certificate for 127.0.0.1 / localhost. */
export interface TestCerts {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: string;
  cert: string;
  key: string;
}

const OPENSSL = '/usr/bin/openssl';
export const hasOpenssl = fs.existsSync(OPENSSL);

/** Generates the certificates with Debian's openssl (EC keys: fast), valid one day. */
export function makeTestCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-tls-'));
  const f = (name: string): string => path.join(dir, name);
  const ssl = (...args: string[]): void => void execFileSync(OPENSSL, args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=weir-test-ca');
  ssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '1', '-extfile', f('ext.cnf'));
  const read = (name: string): string => fs.readFileSync(f(name), 'utf8');
  return { dir, caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key'), ca: read('ca.pem'), cert: read('server.pem'), key: read('server.key') };
}
