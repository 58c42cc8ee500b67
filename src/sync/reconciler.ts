// The periodic reconciler: reads each assistant from the provider and stores changes made
// elsewhere as `provider` versions. Several servers share the work: each claims a batch with
// `for update skip locked`, so an assistant is checked by one server at a time. Provider calls
// are paced to a set rate, and requests are never blocked (a busy assistant is skipped).
import type { FastifyBaseLogger } from 'fastify';
import type { AssistantRepository } from '../assistants/assistant-repository.ts';
import type { AssistantService } from '../assistants/assistant-service.ts';

export interface ReconcilerOptions {
  /** How often a run starts, and how old a check must be before it is repeated. 0 turns it off. */
  intervalMs: number;
  maxCallsPerSecond: number;
  batchSize?: number;
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
  private lastCallAt = 0;

  constructor(
    private readonly repo: AssistantRepository,
    private readonly assistants: AssistantService,
    private readonly options: ReconcilerOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

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
      const ids = await this.repo.claimForSync(this.options.batchSize ?? 20, cutoff);
      if (ids.length === 0) break;
      for (const id of ids) {
        await this.pace();
        try {
          const outcome = await this.assistants.syncInBackground(id);
          report.checked++;
          if (outcome !== 'unchanged') report[outcome]++;
        } catch (error) {
          report.failed++;
          this.log.warn({ err: error, assistantId: id }, 'reconciler could not check an assistant');
        }
      }
    }
    if (report.changed + report.missing + report.failed > 0) this.log.info(report, 'reconciler pass');
    return report;
  }

  /** Waits so that provider calls start at most `maxCallsPerSecond` a second. */
  private async pace(): Promise<void> {
    const gapMs = 1000 / this.options.maxCallsPerSecond;
    const wait = this.lastCallAt + gapMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastCallAt = Date.now();
  }
}
