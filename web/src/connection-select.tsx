import type { Connection } from './api.ts';
import { connectionLabel } from './connection-words.tsx';

const STATUS_NOTES = { ok: '', invalid: ' — key refused', unreachable: ' — unreachable at last check' };

/** Picks one of the organization's connections, each named with its provider, the default marked. */
export function ConnectionSelect({
  connections,
  loaded,
  value,
  onChange,
  error,
  loadFailed = false,
}: {
  connections: Connection[];
  loaded: boolean;
  value: string;
  onChange: (connectionId: string) => void;
  error?: string | undefined;
  /** The list could not be loaded: the request then names none, and the server uses the default. */
  loadFailed?: boolean;
}) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor="f-connection">Connection</label>
      <select
        id="f-connection"
        value={value}
        disabled={!loaded || connections.length === 0}
        aria-invalid={error ? true : undefined}
        aria-describedby={`f-connection-hint${error ? ' e-connection' : ''}`}
        onChange={(e) => onChange(e.target.value)}
      >
        {!loaded && (
          <option value="">{loadFailed ? 'The organization’s default' : 'Loading connections…'}</option>
        )}
        {loaded && connections.length === 0 && (
          <option value="">No connections: an admin must add one</option>
        )}
        {connections.map((c) => (
          <option key={c.id} value={c.id}>
            {connectionLabel(c)}
            {c.isDefault ? ' — default' : ''}
            {STATUS_NOTES[c.status]}
          </option>
        ))}
      </select>
      <p className="hint" id="f-connection-hint">
        The provider account the assistant is created in. Admins manage these on the{' '}
        <a href="#/connections">Connections</a> page.
      </p>
      {error && (
        <p className="field-error" id="e-connection" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
