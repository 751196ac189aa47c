/** The `onChange` listener list shared by both coordinators. */
export class ChangeListeners {
  private readonly listeners: Array<() => void> = [];

  add(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Tell every listener that persisted state changed (the broker debounces its snapshot writes). */
  emit(): void {
    for (const listener of this.listeners) listener();
  }
}
