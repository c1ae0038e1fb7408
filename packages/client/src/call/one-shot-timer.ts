/** A timer that runs its callback once; starting it while it runs changes nothing. */
export class OneShotTimer {
  private handle: ReturnType<typeof setTimeout> | null = null;

  get running(): boolean {
    return this.handle !== null;
  }

  start(delayMs: number, callback: () => void): void {
    if (this.handle) return;
    this.handle = setTimeout(() => {
      this.handle = null;
      callback();
    }, delayMs);
  }

  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
  }
}
