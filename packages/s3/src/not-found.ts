/** A missing object as Node's file APIs report a missing file (`code: 'ENOENT'`), which callers already handle. */
export function notFound(where: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`ENOENT: no such object, ${where}`);
  err.code = 'ENOENT';
  return err;
}
