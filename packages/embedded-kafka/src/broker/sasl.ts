/**
 * SASL/PLAIN token check. Token layout: [authzid] NUL authcid NUL password.
 * With no user table configured every user is accepted (clients that always authenticate still work).
 */
export function verifySaslPlain(token: Buffer, users: ReadonlyMap<string, string> | null): string | null {
  const parts = token.toString('utf8').split('\u0000');
  if (parts.length !== 3) return null;
  const user = parts[1]!;
  const password = parts[2]!;
  if (!user) return null;
  if (users === null) return user;
  return users.get(user) === password ? user : null;
}
