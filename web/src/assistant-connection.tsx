import type { Connection } from './api.ts';
import { connectionLabel, PROVIDER_NAMES, StatusBadge } from './connection-words.tsx';

/**
 * The connection an assistant runs on, and what its state means for this assistant: a refused
 * key is an alert, since nothing done here reaches the provider until an admin updates it.
 */
export function AssistantConnection({
  connection,
  error,
  isAdmin,
}: {
  connection: Connection | null;
  error: string | null;
  isAdmin: boolean;
}) {
  if (!connection) {
    return error ? <p className="connection-line">Connection: could not be loaded ({error})</p> : null;
  }
  return (
    <>
      <p className="connection-line">
        Connection: <a href="#/connections">{connectionLabel(connection)}</a>{' '}
        <StatusBadge status={connection.status} />
      </p>
      {connection.status === 'invalid' && (
        <div role="alert" className="banner danger">
          <p>
            <strong>
              {PROVIDER_NAMES[connection.provider]} refused the key of the connection “{connection.name}”.
            </strong>{' '}
            Changes to this assistant cannot reach the provider until an admin updates the connection’s key.
          </p>
          <p>
            {isAdmin ? (
              <a href="#/connections">Go to Connections to update the key</a>
            ) : (
              <>
                Ask an admin of this organization; the connection’s state is on the{' '}
                <a href="#/connections">Connections</a> page.
              </>
            )}
          </p>
        </div>
      )}
      {connection.status === 'unreachable' && (
        <p className="banner warning" role="status">
          The provider could not be reached when the connection “{connection.name}” was last checked, so
          changes may fail.
        </p>
      )}
    </>
  );
}
