// An unbounded single-consumer queue behind an async iterator. The SSE reader pushes without ever
// waiting for the consumer: request promises are settled by the reader itself, so a consumer that
// awaits `client.prompt()` inside its own loop cannot deadlock the stream.

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  #ended = false;
  #failure: { error: unknown } | null = null;

  push(item: T): void {
    if (this.#ended) return;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.resolve({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  /** Ends the iteration once the buffered items are consumed; with an error, throws it then. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (error !== undefined) this.#failure = { error };
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      if (this.#failure) waiter.reject(this.#failure.error);
      else waiter.resolve({ value: undefined, done: true });
    }
  }

  /** Drops what is buffered and not yet consumed (a rewind will deliver it again). */
  clear(): void {
    this.#items.length = 0;
  }

  get size(): number {
    return this.#items.length;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift() as T, done: false });
    if (this.#ended) {
      if (this.#failure) {
        const { error } = this.#failure;
        this.#failure = null; // throw once, then report done
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiter) return Promise.reject(new Error("AsyncQueue allows one consumer at a time"));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /**
   * A `for await` loop that breaks calls this. The queue stays open and keeps buffering, so the
   * same consumer can iterate again later (in phases) without losing a message.
   */
  return(): Promise<IteratorResult<T>> {
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
