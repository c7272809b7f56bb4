/**
 * What an operator can do to a delivery in flight (the deliveries API): wake it from its wait between
 * attempts, so that it is retried now, or cancel it, so that it makes no further attempt. One control
 * per delivery the deliverer is running, removed when it ends.
 */
export interface DeliveryControl {
  /** Set by `cancel`: the delivery stops before its next attempt. */
  cancelled: boolean;
  /** Ends the wait between attempts now; null while no wait is in progress. */
  wake: (() => void) | null;
  /**
   * A retry was asked for while no wait was in progress (an attempt under way, or its failure being
   * recorded): the next wait ends at once, so that the request is not lost to a full backoff.
   */
  retryAsked: boolean;
}

export class DeliveryControls {
  readonly #controls = new Map<string, DeliveryControl>();

  open(key: string): DeliveryControl {
    const c: DeliveryControl = { cancelled: false, wake: null, retryAsked: false };
    this.#controls.set(key, c);
    return c;
  }

  close(key: string, c: DeliveryControl): void {
    if (this.#controls.get(key) === c) this.#controls.delete(key);
  }

  /** Retries a delivery now if it is waiting between attempts; false when it is not in flight. */
  wake(key: string): boolean {
    const c = this.#controls.get(key);
    if (!c) return false;
    if (c.wake) c.wake();
    else c.retryAsked = true;
    return true;
  }

  /** Stops a delivery before its next attempt (an attempt under way finishes); false when it is not in flight. */
  cancel(key: string): boolean {
    const c = this.#controls.get(key);
    if (!c) return false;
    c.cancelled = true;
    c.wake?.();
    return true;
  }
}
