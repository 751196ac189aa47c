import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Digests have equal length whatever was sent, so the comparison leaks neither content nor length.
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** A check of `Authorization: Bearer <token>`; without a token every request passes. */
export function bearerCheck(token: string | undefined): (req: IncomingMessage) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (req) => {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]!), expected);
  };
}
