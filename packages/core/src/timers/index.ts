/** Per-operator event-time and processing-time timers. */
export { TimerService } from './timer-service.js';
export type { Timer, TimerServiceSnapshot } from './timer-service.js';
