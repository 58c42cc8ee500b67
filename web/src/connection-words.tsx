// How a connection is named and its state said, the same on every page that shows one.
import type { Connection, ConnectionProvider, ConnectionStatus } from './api.ts';

export const PROVIDER_NAMES: Record<ConnectionProvider, string> = {
  vapi: 'Vapi',
  retell: 'Retell',
  sandbox: 'Sandbox',
};

export const STATUS_WORDS: Record<ConnectionStatus, string> = {
  ok: 'Working',
  invalid: 'Key refused — an admin must update the key',
  unreachable: 'Could not reach the provider',
};

const STATUS_MARKS: Record<ConnectionStatus, string> = { ok: '✓', invalid: '✕', unreachable: '!' };

/** "Production (Vapi)": the name people chose, and the platform behind it. */
export const connectionLabel = (c: Pick<Connection, 'name' | 'provider'>) =>
  `${c.name} (${PROVIDER_NAMES[c.provider]})`;

/** The connection's state in words, with a mark and colour that do not carry the meaning alone. */
export function StatusBadge({ status }: { status: ConnectionStatus }) {
  return (
    <span className={`badge status-${status}`}>
      <span aria-hidden="true">{STATUS_MARKS[status]} </span>
      {STATUS_WORDS[status]}
    </span>
  );
}

/** The connection new assistants go to when none is chosen; the first one if the organization has no default. */
export const defaultConnection = (connections: Connection[]) =>
  connections.find((c) => c.isDefault) ?? connections[0];

/** The default first, then by name: a steady order whatever order the server lists them in. */
export const byDefaultThenName = (a: Connection, b: Connection) =>
  Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name);
