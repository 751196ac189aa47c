/** Syntax tree of a rule expression (positions are 0-based offsets into the source). */

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Node =
  | { kind: 'literal'; value: number | string | boolean | null; pos: number }
  | { kind: 'path'; segments: string[]; pos: number }
  | { kind: 'not'; arg: Node; pos: number }
  | { kind: 'negate'; arg: Node; pos: number }
  | { kind: 'compare'; op: ComparisonOp; left: Node; right: Node; pos: number }
  | { kind: 'and' | 'or'; left: Node; right: Node; pos: number }
  | { kind: 'in'; value: Node; list: Node[]; pos: number }
  | { kind: 'call'; name: string; args: Node[]; pos: number };
