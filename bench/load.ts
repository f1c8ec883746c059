/**
 * Load generation: starts real `fulfill_order` crews through the production client and follows
 * each to its end. Closed loops keep a number of crews open per group (what "N in flight" means),
 * open loops start crews at a fixed rate whatever happens. Every crew is recorded with its client
 * start time and, after the run, the server's own start and close times.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { TerminatedFailure } from '@temporalio/common';
import type { DeliveryAddress, FulfillOrderInput, OrderItemInput } from '../src/orders/contract';
import { startFulfillOrder } from '../src/orders/client';
import type { PriorityTier } from '../src/shared/priority';

export type CrewStatus = 'running' | 'completed' | 'failed' | 'terminated' | 'start_failed';

export interface CrewSpec {
  tier: PriorityTier;
  buyerCode: string;
  items: OrderItemInput[];
  /** Group a closed loop counts its crews in (a tier, a consignor). */
  group: string;
  /** For work that belongs to one consignor (fairness): the bench consignor whose products it orders. */
  consignorId?: number;
}

export interface Crew extends CrewSpec {
  orderId: string;
  workflowId: string;
  /** The LLM pool the bench pinned; undefined when the platform's router chose. */
  pool?: string;
  /** Client clock (ms) when the start request was sent / when the result arrived. */
  sentAt: number;
  resultAt?: number;
  /** Server clock (ms): the workflow's start and close times, filled in after the run. */
  serverStart?: number;
  serverClose?: number;
  status: CrewStatus;
  fallbacks?: string[];
  error?: string;
}

export const BENCH_ADDRESS: DeliveryAddress = {
  recipient: 'Бенч Тестовий', phone: '+380501234567', city: 'Київ', street: 'вул. Хрещатик, 1', postalCode: '01001', country: 'UA',
};

export type Routing = 'pinned' | 'router';

export interface DriverOptions {
  tag: string;
  routing: Routing;
  /** Local pools that are up now (the bench pins crews round-robin over them when routing is 'pinned'). */
  localPools: () => string[];
}

export class Driver {
  readonly crews: Crew[] = [];
  private seq = 0;
  private roundRobin = 0;
  private readonly runningByGroup = new Map<string, number>();
  private runningTotal = 0;
  private readonly results: Promise<void>[] = [];
  private closeWaiters: (() => void)[] = [];
  /** Called as each crew ends (completed, failed, terminated). */
  onClose: ((crew: Crew) => void) | undefined;

  constructor(private readonly client: Client, private readonly options: DriverOptions) {}

  get running(): number {
    return this.runningTotal;
  }

  runningIn(group: string): number {
    return this.runningByGroup.get(group) ?? 0;
  }

  private close(crew: Crew, status: CrewStatus, detail?: { fallbacks?: string[]; error?: string }) {
    if (crew.status !== 'running') return;
    crew.status = status;
    crew.resultAt = Date.now();
    if (detail?.fallbacks) crew.fallbacks = detail.fallbacks;
    if (detail?.error) crew.error = detail.error.slice(0, 300);
    this.runningTotal--;
    this.runningByGroup.set(crew.group, (this.runningByGroup.get(crew.group) ?? 1) - 1);
    this.onClose?.(crew);
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves at the next crew end or at `deadline`, whichever is first. */
  private nextClose(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, Math.min(deadline - Date.now(), 1000)));
      this.closeWaiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }

  async start(spec: CrewSpec): Promise<Crew> {
    const orderId = `${this.options.tag}-${++this.seq}`;
    const pools = this.options.localPools();
    const pool = this.options.routing === 'pinned' && pools.length ? pools[this.roundRobin++ % pools.length] : undefined;
    const crew: Crew = { ...spec, orderId, workflowId: `order-${orderId}`, pool, sentAt: Date.now(), status: 'running' };
    this.crews.push(crew);
    this.runningTotal++;
    this.runningByGroup.set(spec.group, this.runningIn(spec.group) + 1);
    const input: FulfillOrderInput = {
      orderId, buyerCode: spec.buyerCode, items: spec.items, deliveryAddress: BENCH_ADDRESS, priority: spec.tier,
      allowSubstitutes: true, ...(pool ? { llmPool: pool } : {}),
    };
    try {
      const { handle } = await startFulfillOrder(this.client, input);
      this.results.push(handle.result().then(
        (r) => this.close(crew, 'completed', { fallbacks: r.fallbacks }),
        (err: unknown) => {
          const terminated = err instanceof WorkflowFailedError && err.cause instanceof TerminatedFailure;
          this.close(crew, terminated ? 'terminated' : 'failed', { error: err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err) });
        }));
    } catch (err) {
      this.close(crew, 'start_failed', { error: (err as Error).message });
    }
    return crew;
  }

  /** Keeps `inFlight` crews of `group` open until `until` (ms) or `stop()`, starting the next as one ends. */
  async closedLoop(opts: { group: string; inFlight: number; until: number; stop?: () => boolean; next: () => CrewSpec }): Promise<void> {
    const going = () => Date.now() < opts.until && !opts.stop?.();
    while (going()) {
      while (this.runningIn(opts.group) < opts.inFlight && going()) await this.start({ ...opts.next(), group: opts.group });
      await this.nextClose(opts.until);
    }
  }

  /** Starts a crew every `intervalMs` until `until`, whether or not earlier ones ended. */
  async openLoop(opts: { intervalMs: number; until: number; next: () => CrewSpec }): Promise<Crew[]> {
    const started: Promise<Crew>[] = [];
    let due = Date.now();
    while (due < opts.until) {
      started.push(this.start(opts.next()));
      due += opts.intervalMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    return Promise.all(started);
  }

  /** Starts all of `specs` with at most `concurrency` start requests outstanding. */
  async startMany(specs: CrewSpec[], concurrency: number): Promise<void> {
    let i = 0;
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (i < specs.length) await this.start(specs[i++]!);
    }));
  }

  /** Waits until no crew is running or `deadline` passes; true when all ended. */
  async drain(deadline: number): Promise<boolean> {
    while (this.runningTotal > 0 && Date.now() < deadline) await this.nextClose(deadline);
    return this.runningTotal === 0;
  }

  /** Ends the bench's crews that are still open, so the next scenario starts from a quiet server. */
  async terminateRunning(reason: string): Promise<number> {
    const open = this.crews.filter((c) => c.status === 'running');
    let i = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (i < open.length) {
        const crew = open[i++]!;
        await this.client.workflow.getHandle(crew.workflowId).terminate(reason).catch(() => undefined);
      }
    }));
    // Wait for the result listeners to see the terminations, but never forever.
    await Promise.race([Promise.allSettled(this.results), new Promise((r) => setTimeout(r, 15_000))]);
    for (const c of open) this.close(c, 'terminated');
    return open.length;
  }

  /** Server start/close times of this run's crews from visibility (server clock, not this busy process's). */
  async fillServerTimes(since: number): Promise<number> {
    const byId = new Map(this.crews.map((c) => [c.workflowId, c]));
    const query = `WorkflowType = 'fulfillOrder' AND StartTime >= '${new Date(since - 5000).toISOString()}'`;
    let filled = 0;
    try {
      for await (const wf of this.client.workflow.list({ query, pageSize: 1000 })) {
        const crew = byId.get(wf.workflowId);
        if (!crew) continue;
        crew.serverStart = wf.startTime.getTime();
        if (wf.closeTime) crew.serverClose = wf.closeTime.getTime();
        filled++;
      }
    } catch {
      // Visibility unavailable: latencies fall back to the client's clock.
    }
    return filled;
  }
}

/** Crew latency in ms: server times when known, else the client's. */
export function crewLatencyMs(c: Crew): number | undefined {
  if (c.serverStart !== undefined && c.serverClose !== undefined) return c.serverClose - c.serverStart;
  if (c.resultAt !== undefined) return c.resultAt - c.sentAt;
  return undefined;
}

/** When the crew ended, server clock when known. */
export function crewEnd(c: Crew): number | undefined {
  return c.serverClose ?? c.resultAt;
}
