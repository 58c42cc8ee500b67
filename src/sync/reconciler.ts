// The periodic reconciler: reads each assistant from the provider and stores changes made
// elsewhere as `provider` versions. Several servers share the work: each claims a batch with
// `for update skip locked`, so an assistant is checked by one server at a time. Provider calls
// are paced per connection (a 429 from one provider account slows only that connection, and
// connections are checked side by side), and requests are never blocked (a busy assistant is skipped).
import type { FastifyBaseLogger } from 'fastify';
import type { AssistantRepository } from '../assistants/assistant-repository.ts';
import type { AssistantService } from '../assistants/assistant-service.ts';
import { ProviderError } from '../errors.ts';
import { parseRetryAfter } from '../shared/retry-after.ts';
import { ConnectionPacer } from './pacer.ts';

export interface ReconcilerOptions {
  /** How often a run starts, and how old a check must be before it is repeated. 0 turns it off. */
  intervalMs: number;
  /** Per connection. */
  maxCallsPerSecond: number;
  batchSize?: number;
  /** Shared with the jobs, so that together they keep each connection's pace. */
  pacer?: ConnectionPacer;
}

export interface ReconcileReport {
  checked: number;
  changed: number;
  missing: number;
  busy: number;
  failed: number;
}

export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileReport> | undefined;
  private readonly pacer: ConnectionPacer;

  constructor(
    private readonly repo: Pick<AssistantRepository, 'syncCutoff' | 'claimForSync'>,
    private readonly assistants: Pick<AssistantService, 'syncInBackground'>,
    private readonly options: ReconcilerOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.pacer = options.pacer ?? new ConnectionPacer(options.maxCallsPerSecond);
  }

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((error) => this.log.warn({ err: error }, 'reconciler run failed'));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** One pass over every assistant due for a check; a pass already under way is joined, not doubled. */
  runOnce(): Promise<ReconcileReport> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, changed: 0, missing: 0, busy: 0, failed: 0 };
    // Fixed for the whole pass, so assistants checked during it are not claimed again.
    const cutoff = await this.repo.syncCutoff(this.options.intervalMs);
    for (;;) {
      const claimed = await this.repo.claimForSync(this.options.batchSize ?? 20, cutoff);
      if (claimed.length === 0) break;
      // Map.groupBy needs Node 21.
      const byConnection = new Map<string, string[]>();
      for (const { id, connectionId } of claimed) {
        byConnection.set(connectionId, [...(byConnection.get(connectionId) ?? []), id]);
      }
      await Promise.all(
        [...byConnection].map(async ([connectionId, ids]) => {
          for (const id of ids) await this.check(connectionId, id, report);
        }),
      );
    }
    if (report.changed + report.missing + report.failed > 0) this.log.info(report, 'reconciler pass');
    return report;
  }

  private async check(connectionId: string, assistantId: string, report: ReconcileReport): Promise<void> {
    await this.pacer.turn(connectionId);
    try {
      const outcome = await this.assistants.syncInBackground(assistantId);
      this.pacer.succeeded(connectionId);
      report.checked++;
      if (outcome !== 'unchanged') report[outcome]++;
    } catch (error) {
      report.failed++;
      if (error instanceof ProviderError && error.code === 'provider_rate_limited') {
        this.pacer.slowDown(connectionId, parseRetryAfter(error.headers?.['retry-after']));
      }
      this.log.warn({ err: error, assistantId }, 'reconciler could not check an assistant');
    }
  }
}
