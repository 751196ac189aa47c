import type { Cluster } from '../cluster/cluster.js';
import type { SaslExchange } from '../security/sasl.js';
import type { BrokerListener, BrokerServer } from './server.js';

/** Per-connection state handlers may read or change (SASL progress, client id). */
export interface ConnectionState {
  readonly remote: string;
  /** The listener the connection came in on (its name picks the endpoints Metadata reports). */
  readonly listener: BrokerListener;
  clientId: string | null;
  /** Mechanism chosen by SaslHandshake, if any. */
  saslMechanism: string | null;
  /** The running SASL exchange between SaslHandshake and the last SaslAuthenticate. */
  sasl: SaslExchange | null;
  /** True after SaslHandshake v0: the following frames are raw SASL tokens without a Kafka header. */
  rawSaslNext: boolean;
  authenticated: boolean;
  /** Set by a handler whose response must be the last one (Kafka closes after a failed authentication). */
  closeAfterResponse: boolean;
  /** Kafka principal: `User:ANONYMOUS` until SASL (or a client certificate) names the user. */
  principal: string;
  /** Aborted when the connection closes (long polls stop waiting). */
  readonly signal: AbortSignal;
}

/** What every handler receives besides the decoded request body. */
export interface RequestContext {
  readonly cluster: Cluster;
  readonly broker: BrokerServer;
  readonly connection: ConnectionState;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
}

/**
 * One module per Kafka API. `handle` returns the response body (schema field names, first letter
 * lower-cased), a Promise of it for handlers that wait, or null when no response is sent (acks=0).
 */
export interface ApiHandler {
  readonly apiKey: number;
  readonly minVersion: 0;
  readonly maxVersion: number;
  handle(ctx: RequestContext, req: any): any;
  /** Builds a response carrying `errorCode` in every error field (fault injection); absent = drop the connection. */
  errorBody?(req: any, errorCode: number, apiVersion: number): any;
}
