/**
 * SASL/SCRAM-SHA-256 and -512 server side (RFC 5802/7677, as Kafka's ScramSaslServer speaks it:
 * no channel binding, 4096 iterations, extensions ignored).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** What the server stores per user and mechanism (never the password itself in Kafka). */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** Kafka's minimum (and the default of kafka-configs --add-config SCRAM-SHA-256=[password=...]). */
const ITERATIONS = 4096;

const hashOf = (m: ScramMechanism): 'sha256' | 'sha512' => (m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
const hmac = (alg: string, key: Buffer, data: string | Buffer): Buffer => createHmac(alg, key).update(data).digest();

export function scramCredential(mechanism: ScramMechanism, password: string, salt = randomBytes(16)): ScramCredential {
  const alg = hashOf(mechanism);
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, alg === 'sha256' ? 32 : 64, alg);
  const clientKey = hmac(alg, salted, 'Client Key');
  return { salt, iterations: ITERATIONS, storedKey: createHash(alg).update(clientKey).digest(), serverKey: hmac(alg, salted, 'Server Key') };
}

/** Result of one SASL step. */
export type SaslStep =
  | { kind: 'continue'; reply: Buffer }
  | { kind: 'done'; reply: Buffer; user: string }
  | { kind: 'fail'; message: string };

/** `a=b,c=d` attributes of a SCRAM message (values may contain '=' themselves). */
function attributes(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) continue;
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** One SCRAM exchange: client-first -> server-first, client-final -> server-final. */
export class ScramExchange {
  private stage: 'first' | 'final' | 'over' = 'first';
  private user = '';
  private cred: ScramCredential | undefined;
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(private readonly mechanism: ScramMechanism, private readonly lookup: (user: string) => ScramCredential | undefined) {}

  step(token: Buffer): SaslStep {
    const msg = token.toString('utf8');
    if (this.stage === 'first') return this.first(msg);
    if (this.stage === 'final') return this.final(msg);
    return { kind: 'fail', message: 'SCRAM exchange already complete' };
  }

  private first(msg: string): SaslStep {
    this.stage = 'over';
    // gs2-header: 'n' (no channel binding) or 'y' (client could but server does not), optional authzid.
    const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(msg);
    if (!m) return { kind: 'fail', message: 'Invalid SCRAM client first message' };
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const name = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (!name || !clientNonce || !PRINTABLE_NONCE.test(clientNonce)) return { kind: 'fail', message: 'Invalid SCRAM client first message' };
    this.user = name.replace(/=2C/g, ',').replace(/=3D/g, '=');
    this.cred = this.lookup(this.user);
    if (!this.cred) return { kind: 'fail', message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}` };
    this.nonce = clientNonce + randomBytes(18).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${this.cred.salt.toString('base64')},i=${this.cred.iterations}`;
    this.stage = 'final';
    return { kind: 'continue', reply: Buffer.from(this.serverFirst, 'utf8') };
  }

  private final(msg: string): SaslStep {
    this.stage = 'over';
    const invalid = { kind: 'fail', message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}` } as const;
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt < 0) return invalid;
    const withoutProof = msg.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    // Kafka only checks that the nonce ends with the server's: librdkafka 2.0 sends the client
    // nonce once more in front of it.
    if (attrs.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64') || !attrs.get('r')?.endsWith(this.nonce)) return invalid;
    const alg = hashOf(this.mechanism);
    const cred = this.cred!;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const proof = Buffer.from(msg.slice(proofAt + 3), 'base64');
    const signature = hmac(alg, cred.storedKey, authMessage);
    if (proof.length !== signature.length) return invalid;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(createHash(alg).update(clientKey).digest(), cred.storedKey)) return invalid;
    const verifier = hmac(alg, cred.serverKey, authMessage).toString('base64');
    return { kind: 'done', reply: Buffer.from(`v=${verifier}`, 'utf8'), user: this.user };
  }
}
