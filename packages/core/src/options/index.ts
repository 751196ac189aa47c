/** Run-time option validation shared by every package's public factories. */

export { OptionsError, validateOptions, strictObject, oneOf, custom, fn, withMethods, durationMs, count, schemaFor } from './validate.js';
export type { KeyHints } from './validate.js';
