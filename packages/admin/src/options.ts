import { count, custom, schemaFor, strictObject, validateOptions } from '@weir/core';

/** Options of {@link adminServer}; validated when it is called. */
export interface AdminServerOptions {
  /** TCP port; 0 picks a free one (read it from `url`). */
  port: number;
  /** Interface to listen on. Default `'127.0.0.1'`: only this machine; use `'0.0.0.0'` in a pod, with a token. */
  host?: string;
  /** When set, every route but `/healthz` and `/readyz` needs `Authorization: Bearer <token>`. */
  token?: string;
}

const nonEmptyString = (what: string) => custom<string>((v) => typeof v === 'string' && v.length > 0, what);

const schema = schemaFor<AdminServerOptions>()(
  strictObject({
    port: count(0).max(65_535),
    host: nonEmptyString('a host name or address').optional(),
    token: nonEmptyString('a non-empty string').optional(),
  }),
);

/** The options with their defaults, or an `OptionsError` listing every problem. */
export function resolveOptions(options: unknown): Required<Omit<AdminServerOptions, 'token'>> & Pick<AdminServerOptions, 'token'> {
  const o = validateOptions(schema, options, 'adminServer options');
  return { port: o.port, host: o.host ?? '127.0.0.1', token: o.token };
}
