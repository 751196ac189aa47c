/** An immutable, versioned view of the registry's schemas. */

import type protobuf from 'protobufjs';

/**
 * One version of the registry. Immutable: a reload produces a new snapshot with a higher
 * version and leaves this one untouched, so a pipeline can keep decoding with it until every
 * parallel step switches at the same checkpoint barrier.
 */
export class SchemaSnapshot {
  /** Stream id -> fully qualified message type (without leading dot). */
  readonly streams: ReadonlyMap<string, string>;
  private readonly types = new Map<string, protobuf.Type>();

  /** @internal */
  constructor(
    /** Monotonic version, 1 for the first load. */
    readonly version: number,
    /** The compiled schemas; treat as read-only. */
    readonly root: protobuf.Root,
    streams: Record<string, string>,
    /** Content hash of the sources this snapshot was built from. */
    readonly fingerprint: string,
    /** Names of the files or URLs it was built from. */
    readonly sources: readonly string[],
    readonly loadedAtMs: number,
  ) {
    this.streams = new Map(Object.entries(streams));
    for (const [stream, typeName] of this.streams) {
      let type: protobuf.Type;
      try {
        type = root.lookupType(typeName);
      } catch {
        throw new Error(`stream '${stream}' names message type '${typeName}', which no schema defines`);
      }
      type.setup(); // generate the decoder/encoder once, now, not on the first record
      this.types.set(stream, type);
    }
    Object.freeze(this);
  }

  /** The compiled message type of `stream`, or undefined when the stream is not registered. */
  typeOf(stream: string): protobuf.Type | undefined {
    return this.types.get(stream);
  }

  /** Look up any message type by its fully qualified name; throws when missing. */
  lookupType(name: string): protobuf.Type {
    const type = this.root.lookupType(name);
    type.setup();
    return type;
  }
}
