/**
 * What the demo started, stopped in reverse order. Registering after `closeAll` began stops the new
 * resource at once, so something that finished starting while Ctrl-C was being handled is not left
 * behind. Each stop runs once, its errors are reported and do not keep the others from stopping.
 */
export interface Stoppable {
  name: string;
  stop: () => Promise<unknown>;
}

export class Resources {
  #stack: Stoppable[] = [];
  #closing = false;
  #late: Promise<void>[] = [];
  #report: (line: string) => void;
  /** Ports on 127.0.0.1 the resources listen on, to check they are free after `closeAll`. */
  readonly ports = new Set<number>();

  constructor(report: (line: string) => void = () => undefined) {
    this.#report = report;
  }

  /** Nothing was registered (or everything is stopped already). */
  get empty(): boolean {
    return this.#stack.length === 0;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Remembers `stop` for `closeAll`; when closing already, stops it now. */
  add(name: string, stop: () => Promise<unknown>): void {
    const item = { name, stop };
    if (this.#closing) this.#late.push(this.#stopOne(item));
    else this.#stack.push(item);
  }

  /** Stops everything registered so far (and anything registered meanwhile), last first. */
  async closeAll(): Promise<void> {
    this.#closing = true;
    for (;;) {
      const item = this.#stack.pop();
      if (!item) break;
      await this.#stopOne(item);
    }
    await Promise.all(this.#late);
  }

  async #stopOne(item: Stoppable): Promise<void> {
    try {
      await item.stop();
    } catch (err) {
      this.#report(`stopping ${item.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
