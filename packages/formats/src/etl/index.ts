/** ETL: per-stream rules (project, rename, filter, route, drop) hot-reloaded and switched at barriers. */

export { compileRules } from './rules.js';
export type { CompiledRules, EtlRecord } from './rules.js';
export { EtlConfigError } from './config.js';
export type { EtlRulesConfig, RouteCase, StreamRules } from './config.js';
export { compileCondition, compileExpression, EXPRESSION_FUNCTIONS } from './expression/compile.js';
export type { Evaluator } from './expression/compile.js';
export { ExpressionError } from './expression/errors.js';
export { broadcastRulesFile, loadRulesFile, watchRulesFile } from './loader.js';
export type { RulesFileWatch, RulesFileWatchOptions } from './loader.js';
export { etlStep } from './step.js';
