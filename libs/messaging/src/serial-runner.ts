/**
 * Runs `pass` when woken, never two at once: a wake during a pass schedules exactly one more pass right after it,
 * so a burst of wake-ups (NOTIFYs, timers) costs at most one extra pass. A pass that throws is reported and the
 * next wake tries again.
 */
export class SerialRunner {
  private runningPass: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly isStopped: () => boolean,
    private readonly onError: (err: unknown) => void,
  ) {}

  wake(): void {
    if (this.isStopped()) return;
    if (this.runningPass) {
      this.again = true;
      return;
    }
    this.runningPass = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (err) {
          this.onError(err);
        }
      } while (this.again && !this.isStopped());
      this.runningPass = null;
    })();
  }

  /** Resolves when the current pass (and the one it scheduled) is over. */
  async idle(): Promise<void> {
    await this.runningPass;
  }
}
