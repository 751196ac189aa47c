/** SASL mechanisms and the per-cluster user table they check against. */
import { ScramExchange, scramCredential, type SaslStep, type ScramCredential, type ScramMechanism } from './scram.js';

export type SaslMechanism = 'PLAIN' | ScramMechanism;
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
export type { SaslStep } from './scram.js';

/** A mechanism's server side: fed client tokens until it answers `done` or `fail`. */
export interface SaslExchange {
  step(token: Buffer): SaslStep;
}

const PLAIN_FAILED = 'Authentication failed: Invalid username or password';

/**
 * Users of one cluster. With no table (null) PLAIN accepts anyone (clients that always
 * authenticate still work); SCRAM always needs a configured user.
 */
export class SaslUsers {
  private readonly scram = new Map<string, ScramCredential>();

  constructor(private readonly passwords: ReadonlyMap<string, string> | null, readonly mechanisms: readonly SaslMechanism[] = SASL_MECHANISMS) {
    for (const m of mechanisms) if (!SASL_MECHANISMS.includes(m)) throw new Error(`unsupported SASL mechanism ${String(m)}`);
  }

  get configured(): boolean {
    return this.passwords !== null;
  }

  /** Starts an exchange for a mechanism this cluster enables, else null. */
  start(mechanism: string): SaslExchange | null {
    if (!this.mechanisms.includes(mechanism as SaslMechanism)) return null;
    if (mechanism === 'PLAIN') return { step: (token) => this.plain(token) };
    return new ScramExchange(mechanism as ScramMechanism, (user) => this.scramCredential(mechanism as ScramMechanism, user));
  }

  /** PLAIN token: [authzid] NUL authcid NUL password. */
  private plain(token: Buffer): SaslStep {
    const parts = token.toString('utf8').split('\u0000');
    const user = parts[1];
    if (parts.length !== 3 || !user) return { kind: 'fail', message: PLAIN_FAILED };
    if (this.passwords !== null && this.passwords.get(user) !== parts[2]) return { kind: 'fail', message: PLAIN_FAILED };
    return { kind: 'done', reply: Buffer.alloc(0), user };
  }

  /** Derived on first use and cached: PBKDF2 with 4096 rounds per user is not free. */
  private scramCredential(mechanism: ScramMechanism, user: string): ScramCredential | undefined {
    const password = this.passwords?.get(user);
    if (password === undefined) return undefined;
    const key = `${mechanism}\u0000${user}`;
    let cred = this.scram.get(key);
    if (!cred) this.scram.set(key, (cred = scramCredential(mechanism, password)));
    return cred;
  }
}
