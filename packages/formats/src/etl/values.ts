/**
 * Reshaping record values without mutating them: projection builds a fresh plain object,
 * renames copy only the objects along the changed paths (copy-on-write). Reads see protobuf
 * default values (they live on the message prototype); copies are plain objects.
 */

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** A shallow plain copy; for a protobuf message every declared field, defaults included. */
function shallowCopy(value: Obj): Obj {
  const out: Obj = {};
  const fields = (value as { $type?: { fieldsArray?: { name: string }[] } }).$type?.fieldsArray;
  if (Array.isArray(fields)) for (const f of fields) out[f.name] = value[f.name];
  else Object.assign(out, value);
  return out;
}

/** The value at a dotted path; any missing step gives undefined (prototype defaults of protobuf messages included). */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const s of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Obj)[s];
  }
  return cur;
}

/** Keep only `paths` (each a list of segments; none a prefix of another). */
export function project(value: unknown, paths: readonly (readonly string[])[]): Obj {
  const out: Obj = {};
  for (const path of paths) {
    const v = readPath(value, path);
    if (v === undefined) continue;
    let target = out;
    for (let i = 0; i < path.length - 1; i++) {
      const s = path[i]!;
      const next = target[s];
      if (isObject(next)) target = next;
      else target = target[s] = {};
    }
    target[path[path.length - 1]!] = v;
  }
  return out;
}

/**
 * Move every `from` path to its `to` path at once (so `{a: 'b', b: 'a'}` swaps). Missing sources
 * are skipped. Returns `value` itself when nothing was moved.
 */
export function rename(value: unknown, moves: readonly { from: readonly string[]; to: readonly string[] }[]): unknown {
  if (!isObject(value)) return value;
  const found: { to: readonly string[]; v: unknown }[] = [];
  const sources: (readonly string[])[] = [];
  for (const m of moves) {
    const v = readPath(value, m.from);
    if (v === undefined) continue;
    found.push({ to: m.to, v });
    sources.push(m.from);
  }
  if (found.length === 0) return value;
  const owned = new Set<Obj>();
  const own = (o: Obj): Obj => {
    if (owned.has(o)) return o;
    const c = shallowCopy(o);
    owned.add(c);
    return c;
  };
  const root = own(value);
  /** The owned parent object of `path`, creating (or copying) the objects on the way. */
  const parentOf = (path: readonly string[], create: boolean): Obj | undefined => {
    let cur = root;
    for (let i = 0; i < path.length - 1; i++) {
      const s = path[i]!;
      const next = cur[s];
      if (isObject(next)) cur = cur[s] = own(next);
      else if (create) {
        const fresh: Obj = {};
        owned.add(fresh);
        cur = cur[s] = fresh;
      } else return undefined;
    }
    return cur;
  };
  for (const from of sources) {
    const parent = parentOf(from, false);
    if (parent !== undefined) delete parent[from[from.length - 1]!];
  }
  for (const { to, v } of found) parentOf(to, true)![to[to.length - 1]!] = v;
  return root;
}
