/** Reading schema sources: a directory of .proto / descriptor-set files, or HTTP URLs. */

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** One schema file as read from its source. */
export interface SchemaFile {
  /** Path relative to the directory, or the URL. */
  name: string;
  kind: 'proto' | 'descriptor-set' | 'streams';
  content: Uint8Array;
}

const DESCRIPTOR_EXTENSIONS = ['.desc', '.pb', '.binpb', '.protoset'];

function kindOf(name: string): SchemaFile['kind'] | undefined {
  const path = name.split('?')[0]!.toLowerCase();
  if (path.endsWith('.proto')) return 'proto';
  if (path.endsWith('streams.json')) return 'streams';
  if (DESCRIPTOR_EXTENSIONS.some((e) => path.endsWith(e))) return 'descriptor-set';
  return undefined;
}

/** Every schema file under `dir` (recursively), sorted by name. */
export async function readSchemaDirectory(dir: string): Promise<SchemaFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: SchemaFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? dir, entry.name);
    const name = relative(dir, full);
    const kind = kindOf(name);
    if (kind) files.push({ name, kind, content: await readFile(full) });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Fetch one schema file over HTTP(S). A URL whose path ends in `.proto` is proto text, one ending
 * in `streams.json` a stream mapping; anything else is read as a binary FileDescriptorSet.
 */
export async function fetchSchemaUrl(url: string, timeoutMs: number): Promise<SchemaFile> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const content = new Uint8Array(await response.arrayBuffer());
  return { name: url, kind: kindOf(new URL(url).pathname) ?? 'descriptor-set', content };
}
