import { createConnection, type Socket } from "node:net";

/** QMP's greeting: `{"QMP": {"version": ..., "capabilities": [...]}}`. */
export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

/** An error QEMU answered with (`{"error": {"class", "desc"}}`). */
export class QmpCommandError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP ${command} failed: ${errorClass}: ${desc}`);
    this.name = "QmpCommandError";
  }
}

/** The connection failed, timed out or closed before an answer. */
export class QmpConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QmpConnectionError";
  }
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const CONNECT_RETRY_MS = 25;

export interface QmpConnectOptions {
  /** Connect + greeting + capabilities negotiation, all together. Default 5 s. */
  timeoutMs?: number;
}

/**
 * A minimal QMP client over a unix socket: one connection, commands matched to answers by id,
 * events delivered to listeners. QEMU serves one QMP client at a time per socket, so callers keep
 * connections short and close them.
 */
export class QmpClient {
  /** Set once the greeting has arrived (always, for a client returned by connect()). */
  greeting!: QmpGreeting;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly eventListeners = new Set<(event: QmpEvent) => void>();
  private readonly closeWaiters = new Set<() => void>();
  private lineBuffer = "";
  private closed = false;
  private lastError: Error | undefined;
  private onGreeting: ((greeting: QmpGreeting) => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly socketPath: string,
  ) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.receive(chunk));
    socket.on("error", (error) => {
      this.lastError = error;
      this.markClosed();
    });
    socket.on("close", () => this.markClosed());
  }

  /** Connects, reads the greeting and leaves capabilities-negotiation mode. */
  static async connect(socketPath: string, opts: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 5_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new QmpClient(createConnection({ path: socketPath }), socketPath);
      try {
        await client.awaitGreeting(Math.max(1, deadline - Date.now()), timeoutMs);
        await client.execute("qmp_capabilities", undefined, { timeoutMs });
        return client;
      } catch (error) {
        client.close();
        // A socket that exists but refuses: QEMU has bound it and not yet called listen() — a moment
        // that grows long when booting guests keep QEMU's thread off the CPU. Knock again.
        const refused = (client.lastError as NodeJS.ErrnoException | undefined)?.code === "ECONNREFUSED";
        if (!refused || Date.now() + CONNECT_RETRY_MS >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      }
    }
  }

  /** Waits `timeoutMs` at most; `totalMs` is the caller's whole budget, for the message. */
  private awaitGreeting(timeoutMs: number, totalMs = timeoutMs): Promise<QmpGreeting> {
    return new Promise((resolve, reject) => {
      const onClose = () => {
        clearTimeout(timer);
        const why = this.lastError
          ? `cannot connect to QMP at ${this.socketPath}: ${this.lastError.message}`
          : `QMP at ${this.socketPath} closed before its greeting`;
        reject(new QmpConnectionError(why));
      };
      const timer = setTimeout(() => {
        this.closeWaiters.delete(onClose);
        reject(new QmpConnectionError(`no QMP greeting on ${this.socketPath} within ${totalMs} ms`));
      }, timeoutMs);
      this.onGreeting = (greeting) => {
        clearTimeout(timer);
        this.closeWaiters.delete(onClose);
        resolve(greeting);
      };
      if (this.closed) onClose();
      else this.closeWaiters.add(onClose);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs one command; resolves with its `return` value, rejects with QmpCommandError or on timeout. */
  execute<T = unknown>(
    command: string,
    args?: Record<string, unknown>,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.closed)
      return Promise.reject(
        new QmpConnectionError(`QMP connection to ${this.socketPath} is closed (${command})`),
      );
    const id = `educloud-${this.nextId++}`;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpConnectionError(`QMP ${command} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject, timer });
      const message =
        args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: QmpEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /**
   * Resolves with the first event of that name (that `match` accepts, if given), or null after
   * timeoutMs or when the connection closes (`isClosed` tells which).
   */
  waitForEvent(
    name: string,
    timeoutMs: number,
    match: (event: QmpEvent) => boolean = () => true,
  ): Promise<QmpEvent | null> {
    return new Promise((resolve) => {
      const done = (event: QmpEvent | null) => {
        clearTimeout(timer);
        unsubscribe();
        this.closeWaiters.delete(onClose);
        resolve(event);
      };
      const onClose = () => done(null);
      const timer = setTimeout(() => done(null), timeoutMs);
      const unsubscribe = this.onEvent((event) => event.event === name && match(event) && done(event));
      if (this.closed) done(null);
      else this.closeWaiters.add(onClose);
    });
  }

  /** Resolves true when QEMU closes the connection (it exits), false after timeoutMs. */
  waitForClose(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onClose = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.closeWaiters.delete(onClose);
        resolve(false);
      }, timeoutMs);
      this.closeWaiters.add(onClose);
    });
  }

  close(): void {
    this.socket.destroy();
    this.markClosed();
  }

  private receive(chunk: string): void {
    this.lineBuffer += chunk;
    let newline: number;
    while ((newline = this.lineBuffer.indexOf("\n")) >= 0) {
      const line = this.lineBuffer.slice(0, newline).trim();
      this.lineBuffer = this.lineBuffer.slice(newline + 1);
      if (line) this.handleMessage(line);
    }
  }

  private handleMessage(line: string): void {
    let message: {
      QMP?: QmpGreeting;
      id?: string;
      return?: unknown;
      error?: { class: string; desc: string };
      event?: string;
    };
    try {
      message = JSON.parse(line);
    } catch {
      return; // Lines are complete (buffered to '\n'); anything unparsable is not QMP and is ignored.
    }
    if (message.QMP) {
      this.greeting = message.QMP;
      this.onGreeting?.(this.greeting);
      return;
    }
    if (message.event) {
      for (const listener of this.eventListeners) listener(message as QmpEvent);
      return;
    }
    const pending = message.id === undefined ? undefined : this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id as string);
    clearTimeout(pending.timer);
    if (message.error)
      pending.reject(new QmpCommandError(pending.command, message.error.class, message.error.desc));
    else pending.resolve(message.return);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new QmpConnectionError(
          `QMP connection to ${this.socketPath} closed before ${pending.command} answered`,
        ),
      );
      this.pending.delete(id);
    }
    for (const waiter of this.closeWaiters) waiter();
    this.closeWaiters.clear();
  }
}

/**
 * Connects to the QMP socket, runs `work` and closes the connection however it ends: QEMU serves one
 * QMP client at a time, so a connection left open would lock out the next caller.
 */
export async function withQmp<T>(
  socketPath: string,
  work: (qmp: QmpClient) => Promise<T>,
  opts: QmpConnectOptions = {},
): Promise<T> {
  const qmp = await QmpClient.connect(socketPath, opts);
  try {
    return await work(qmp);
  } finally {
    qmp.close();
  }
}
