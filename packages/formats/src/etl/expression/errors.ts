/** Errors of the rule expression language. */

/** A rule expression that does not parse or compile; `position` is the 0-based offset of the problem. */
export class ExpressionError extends Error {
  /** 1-based column of the problem. */
  readonly column: number;

  constructor(
    readonly reason: string,
    readonly expression: string,
    readonly position: number,
  ) {
    const column = position + 1;
    super(`${reason} at column ${column} in ${JSON.stringify(expression)}`);
    this.name = 'ExpressionError';
    this.column = column;
  }
}
