/** @weir/admin: an opt-in HTTP admin endpoint for one Weir job. */

export { adminServer, type AdminServer } from './server.js';
export type { AdminServerOptions } from './options.js';
