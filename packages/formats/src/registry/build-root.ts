/** Compiling schema files into one protobufjs Root. */

import protobuf from 'protobufjs';
import 'protobufjs/ext/descriptor/index.js';
import type { SchemaFile } from './sources.js';

/** Parse options used everywhere: field names stay as written in the .proto (snake_case). */
const PARSE_OPTIONS = { keepCase: true } as const;

type RootWithDescriptor = typeof protobuf.Root & {
  fromDescriptor(descriptor: Uint8Array, options?: { keepCase?: boolean }): protobuf.Root;
};

/** The result of compiling a set of schema files. */
export interface CompiledSchemas {
  root: protobuf.Root;
  /** Stream id -> fully qualified message type, from `streams.json` files. */
  streams: Record<string, string>;
}

/**
 * Build one resolved Root from proto text files and descriptor sets; well-known imports
 * (`google/protobuf/timestamp.proto`, ...) come from protobufjs's bundled definitions.
 * Throws with the file name on any parse or resolution error.
 */
export function compileSchemas(files: readonly SchemaFile[]): CompiledSchemas {
  const root = new protobuf.Root();
  const streams: Record<string, string> = {};
  const imports = new Set<string>();
  for (const file of files) {
    try {
      if (file.kind === 'descriptor-set') {
        const fromSet = (protobuf.Root as RootWithDescriptor).fromDescriptor(file.content, PARSE_OPTIONS);
        root.addJSON((fromSet.toJSON() as { nested?: Record<string, protobuf.AnyNestedObject> }).nested ?? {});
      } else if (file.kind === 'proto') {
        const parsed = protobuf.parse(Buffer.from(file.content).toString('utf8'), root, PARSE_OPTIONS);
        for (const i of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) imports.add(i);
      } else {
        Object.assign(streams, parseStreams(file));
      }
    } catch (error) {
      throw new Error(`schema file ${file.name}: ${(error as Error).message}`);
    }
  }
  for (const name of imports) addBundledImport(root, name);
  try {
    root.resolveAll();
  } catch (error) {
    throw new Error(`schemas do not resolve: ${(error as Error).message}`);
  }
  return { root, streams };
}

function addBundledImport(root: protobuf.Root, name: string): void {
  const bundled = (protobuf.common as unknown as Record<string, { nested?: Record<string, any> } | undefined>)[name];
  if (!bundled?.nested) return; // a local import: already parsed from the same directory
  addMissing(root, bundled.nested, '');
}

/** Add bundled definitions type by type, skipping those a local file already defines. */
function addMissing(ns: protobuf.Namespace, nested: Record<string, any>, prefix: string): void {
  for (const [name, def] of Object.entries(nested)) {
    const existing = ns.get(name);
    const isPlainNamespace = !def.fields && !def.values && !def.methods;
    if (existing && isPlainNamespace && existing instanceof protobuf.Namespace) {
      addMissing(existing, def.nested ?? {}, `${prefix}${name}.`);
    } else if (!existing) {
      ns.addJSON({ [name]: def });
    }
  }
}

function parseStreams(file: SchemaFile): Record<string, string> {
  const parsed = JSON.parse(Buffer.from(file.content).toString('utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('streams.json must be an object of stream id -> message type');
  for (const [k, v] of Object.entries(parsed)) if (typeof v !== 'string') throw new Error(`stream '${k}': message type must be a string`);
  return parsed as Record<string, string>;
}
