/** The cluster-wide coordinators (internal to the package: the broker's handlers delegate to them). */
export { GroupCoordinator, type GroupCoordinatorOptions, type GroupsSnapshot } from './group-coordinator.js';
export { TransactionCoordinator, type TransactionCoordinatorOptions, type TxnDescription, type TxnSnapshot } from './transaction-coordinator.js';
export type * from './group-messages.js';
export type * from './txn-messages.js';
export type { PersistableCoordinator, TxnClusterAccess } from './types.js';
