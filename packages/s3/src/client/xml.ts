/** S3's XML responses as plain objects (fast-xml-parser), with helpers for repeated and text elements. */

import { XMLParser } from 'fast-xml-parser';

// keys and tokens stay strings ("007" must not become 7); entities decoded
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: true, ignoreDeclaration: true });

export function parseXml(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  return parser.parse(text) as Record<string, unknown>;
}

/** A repeated element as an array (the parser gives one element as an object). */
export function xmlList(parent: unknown, name: string): unknown[] {
  if (parent === undefined || parent === null || typeof parent !== 'object') return [];
  const v = (parent as Record<string, unknown>)[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function xmlText(v: unknown): string {
  return v === undefined || v === null ? '' : typeof v === 'object' ? '' : String(v);
}
