/**
 * Layout of keys in embedded stores and checkpoint files: `<stateName>\0<key>`, so all keys of
 * one state are one contiguous range.
 */

/** Throws when `name` cannot be used as a state name. */
export function validateStateName(name: string): void {
  if (name.length === 0 || name.includes('\0')) {
    throw new Error(`Invalid state name ${JSON.stringify(name)}: must be non-empty and contain no NUL character`);
  }
}

export function composeKey(stateName: string, key: string): string {
  return `${stateName}\0${key}`;
}

/** Splits a composed key; the state name never contains NUL, the key may. */
export function splitKey(composed: string): [stateName: string, key: string] {
  const sep = composed.indexOf('\0');
  if (sep < 0) throw new Error(`Malformed state key ${JSON.stringify(composed)}`);
  return [composed.slice(0, sep), composed.slice(sep + 1)];
}

/** Iterator bounds selecting every key of `stateName`. */
export function stateRange(stateName: string): { gte: string; lt: string } {
  return { gte: `${stateName}\0`, lt: `${stateName}\x01` };
}
