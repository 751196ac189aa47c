import { WatermarkAlignment } from './alignment.js';

/**
 * One {@link WatermarkAlignment} per alignment group of a job, so every source whose
 * strategy names the same group reports to the same aligner.
 */
export class AlignmentGroups {
  private readonly groups = new Map<string, WatermarkAlignment>();

  /**
   * The aligner of `group`, created on first use. Sources of one group must agree on the
   * drift: a different `maxDriftMs` for an existing group is a configuration error.
   */
  get(group: string, maxDriftMs: number): WatermarkAlignment {
    const existing = this.groups.get(group);
    if (existing === undefined) {
      const created = new WatermarkAlignment(group, maxDriftMs);
      this.groups.set(group, created);
      return created;
    }
    if (existing.maxDriftMs !== maxDriftMs) {
      throw new Error(`alignment group ${group}: max drift ${maxDriftMs} ms conflicts with ${existing.maxDriftMs} ms`);
    }
    return existing;
  }

  /** All groups created so far. */
  all(): WatermarkAlignment[] {
    return [...this.groups.values()];
  }
}
