/**
 * @weir/instances — run a Weir job as N instance processes and rescale them through savepoint
 * sets: `InstanceSet` (API), `weir-instances` (CLI with a control endpoint), and what an
 * instance program uses: `instanceEnv()`, `instanceReady()`, `checkpointStorageAt()`.
 * Savepoint-set discovery for Kubernetes is `findSavepointSet` in `@weir/core`.
 */

export { InstanceSet, InstanceSetError } from './instance-set.js';
export type { InstanceStatus } from './instance-set.js';
export type { InstanceSetOptions } from './options.js';
export { INSTANCE_ENV, instanceEnv, instanceReady } from './env.js';
export type { InstanceEnv, InstanceReadyOptions } from './env.js';
export { checkpointLocation, checkpointStorageAt } from './locations.js';
export { controlServer } from './control-server.js';
export type { ControlServer, ControlServerOptions } from './control-server.js';
