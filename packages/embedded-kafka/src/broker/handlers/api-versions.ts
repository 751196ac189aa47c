import type { ApiHandler } from '../context.js';
import { apiVersionsTable } from '../registry.js';

/** ApiVersions: the table is built from the handler registry, identical on every broker. */
export const apiVersions: ApiHandler = {
  apiKey: 18,
  minVersion: 0,
  maxVersion: 3,
  handle: () => ({ errorCode: 0, apiKeys: apiVersionsTable(), throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false }),
  errorBody: (_req, errorCode) => ({ errorCode, apiKeys: apiVersionsTable(), throttleTimeMs: 0 }),
};
