/**
 * Asynchronous side work (checkpoint writes) that must finish before training
 * continues, so a checkpoint always captures one consistent state. Operators
 * `track` promises; the rollout source ends its chunk early while `busy` and
 * waits for `settled()` before stepping again.
 */
export class PendingWork {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = undefined;

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** The first error any tracked promise rejected with, or undefined. */
  get error(): unknown {
    return this.failure;
  }

  track(work: Promise<void>): void {
    const p = work.then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= err ?? new Error('pending work failed');
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves once nothing is in flight; rejects with the first failure. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    if (this.failure !== undefined) throw this.failure;
  }
}
