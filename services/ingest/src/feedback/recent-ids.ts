/**
 * The feedback ids this process acknowledged most recently (least recently used dropped first): answers
 * `duplicate: true` for a resubmission without sending it again. A hint only — it is per process and forgets;
 * what guarantees no second ticket is downstream: eventId = feedbackId and every consumer's inbox.
 */
export class RecentIds {
  private readonly ids = new Map<string, true>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('capacity must be at least 1');
  }

  /** Looks an id up; a hit counts as a use (it moves to the most recent end). */
  has(id: string): boolean {
    if (!this.ids.has(id)) return false;
    this.ids.delete(id);
    this.ids.set(id, true);
    return true;
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value as string);
  }

  get size(): number {
    return this.ids.size;
  }
}
