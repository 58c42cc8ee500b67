// The built-in `sandbox` provider: the Vapi emulator, in-process on a loopback port, keeping its
// assistants in Switchboard's database. Each sandbox connection is an account of its own; the
// token that reaches it is derived from a secret that lives only in this process, so no sandbox
// key is ever stored and one organization's token cannot reach another's sandbox.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { VapiEmulator } from '../vapi/emulator/emulator.ts';
import { SandboxStore } from './sandbox-store.ts';

export class Sandbox {
  private readonly secret = randomBytes(32);
  private readonly emulator: VapiEmulator;
  private listening: Promise<string> | undefined;

  constructor(db: Database) {
    this.emulator = new VapiEmulator(randomUUID(), {
      store: new SandboxStore(db),
      authenticate: (token) => this.connectionOf(token),
      recordRequests: false,
    });
  }

  /** The emulator's address; it starts listening on first use. */
  baseUrl(): Promise<string> {
    this.listening ??= this.emulator.listen(0, '127.0.0.1');
    return this.listening;
  }

  /** The Bearer token that reaches `connectionId`'s sandbox account. */
  tokenFor(connectionId: string): string {
    return `${connectionId}.${this.mac(connectionId)}`;
  }

  async close(): Promise<void> {
    if (this.listening) await this.emulator.close();
  }

  private connectionOf(token: string): string | undefined {
    const dot = token.indexOf('.');
    if (dot < 0) return undefined;
    const connectionId = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(connectionId));
    return given.length === expected.length && timingSafeEqual(given, expected) ? connectionId : undefined;
  }

  private mac(connectionId: string): string {
    return createHmac('sha256', this.secret).update(connectionId).digest('base64url');
  }
}
