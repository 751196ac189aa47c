import { generatedApis, type GeneratedApi } from './generated/registry.js';

/** Version facts of one API, taken from its request schema. */
export interface ApiSchemaInfo {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  /** First flexible version; Infinity when the API has none. */
  flexibleMin: number;
}

/** Every API in the schemas, by API key. */
export const apiSchemas: ReadonlyMap<number, ApiSchemaInfo> = new Map(
  generatedApis.map((a) => [
    a.apiKey,
    { apiKey: a.apiKey, name: a.name, minVersion: a.minVersion, maxVersion: a.maxVersion, flexibleMin: a.requestFlexibleMin },
  ]),
);

const byKey: Array<GeneratedApi | undefined> = [];
for (const a of generatedApis) byKey[a.apiKey] = a;

/** Codec of an API key, or undefined if the schemas do not know it (internal). */
export function generatedApi(apiKey: number): GeneratedApi | undefined {
  return apiKey >= 0 ? byKey[apiKey] : undefined;
}
