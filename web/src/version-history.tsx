import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type Assistant, answer, api, describeError, type Version } from './api.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { when } from './dates.ts';
import { ErrorMessage } from './error-message.tsx';
import { changesInWords } from './field-words.ts';
import { usePages } from './use-pages.ts';
import { type Config, configDiff, type FieldChange } from './version-diff.ts';
import { VersionTable } from './version-table.tsx';

const PAGE_SIZE = 20;

/** How a version came about, in words. */
const SOURCE_WORDS: Record<Version['source'], string> = {
  create: 'Created',
  update: 'Changed',
  restore: 'Restored',
  import: 'Imported',
  provider: 'Changed at the provider',
};

/** Who made a version: their email or key name, else what is known. */
export function versionAuthor(v: Version): string {
  if (v.actorLabel) return v.actorUserId ? v.actorLabel : `${v.actorLabel} (API key)`;
  if (v.source === 'provider') return 'Someone at the provider';
  return v.actorUserId || v.actorApiKeyId ? 'A removed user or key' : 'Switchboard';
}

interface Comparison {
  title: string;
  /** Null when one version is opened on its own. */
  before: string | null;
  after: string;
  changes: FieldChange[];
}

interface RestoreQuestion {
  version: number;
  changes: FieldChange[];
}

/**
 * An assistant's history: who changed what when, in the form's words; each version's changes side
 * by side with the one before, or a chosen one against the current; and a restore that first says
 * what it will change. Pages back past the newest 20.
 */
export function VersionHistory({
  assistant,
  canRestore,
  unsavedFields,
  onRestore,
  serverSetFields,
}: {
  assistant: Assistant;
  canRestore: boolean;
  /** The form's unsaved changes, in words: a restore discards them, so it says so. */
  unsavedFields: string[];
  onRestore: (version: number) => Promise<boolean>;
  /** Paths the assistant's provider sets itself (GET /providers): left out of every diff. */
  serverSetFields: readonly string[];
}) {
  const serverSet = useMemo(() => new Set(serverSetFields), [serverSetFields]);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [question, setQuestion] = useState<RestoreQuestion | null>(null);
  const [restoring, setRestoring] = useState(false);
  const configs = useRef(new Map<number, Config>());
  const comparisonHeading = useRef<HTMLHeadingElement>(null);
  const { id, version: current } = assistant;

  const fetchPage = useCallback(
    async (before: number | null) => {
      const query = { limit: PAGE_SIZE, before: before ?? undefined };
      const { data } = await answer(
        api.GET('/assistants/{id}/versions', { params: { path: { id }, query } }),
      );
      return { items: data.items, next: data.nextBefore };
    },
    [id],
  );
  // Showing a version's changes or restoring one reports its failure in the same place.
  const { items, next: nextBefore, loading, error, setError, load: loadPage, loadMore } = usePages(fetchPage);

  // From the top again whenever the assistant gets a new version (a save, a sync, a restore).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `current` is the reason to reload.
  useEffect(() => {
    void loadPage(null);
  }, [loadPage, current]);

  useEffect(() => {
    if (comparison) comparisonHeading.current?.focus();
  }, [comparison]);

  /** A version's whole configuration, fetched once (a version never changes). */
  const configOf = async (n: number): Promise<Config> => {
    const known = configs.current.get(n);
    if (known) return known;
    const { data } = await answer(api.GET('/assistants/{id}/versions/{n}', { params: { path: { id, n } } }));
    configs.current.set(n, data.config);
    return data.config;
  };

  const withConfigs = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const showChanges = (n: number) =>
    withConfigs(async () => {
      const [previous, version] = await Promise.all([n > 1 ? configOf(n - 1) : null, configOf(n)]);
      setComparison({
        title: n > 1 ? `What version ${n} changed` : 'Version 1, as it was created',
        before: n > 1 ? `Version ${n - 1}` : 'Before',
        after: `Version ${n}`,
        changes: configDiff(previous, version, serverSet),
      });
    });

  const open = (n: number) =>
    withConfigs(async () => {
      const version = await configOf(n);
      setComparison({
        title: `Version ${n}, every field`,
        before: null,
        after: `Version ${n}`,
        changes: configDiff(null, version, serverSet),
      });
    });

  const compareWithCurrent = (n: number) =>
    withConfigs(async () => {
      const version = await configOf(n);
      setComparison({
        title: `Version ${n} compared with the current version (${current})`,
        before: `Version ${n}`,
        after: `Current (version ${current})`,
        changes: configDiff(version, assistant.providerConfig, serverSet),
      });
    });

  const askRestore = (n: number) =>
    withConfigs(async () => {
      const version = await configOf(n);
      setQuestion({ version: n, changes: configDiff(assistant.providerConfig, version, serverSet) });
    });

  const restore = async () => {
    if (!question) return;
    setRestoring(true);
    const done = await onRestore(question.version);
    setRestoring(false);
    if (done) {
      setQuestion(null);
      setComparison(null);
    }
  };

  return (
    <section aria-labelledby="history-heading" className="history">
      <h2 id="history-heading">History</h2>
      <ErrorMessage text={error} />
      {loading && items.length === 0 && <p role="status">Loading the history…</p>}
      {!loading && !error && items.length === 0 && <p>No versions yet.</p>}
      {items.length > 0 && (
        <table className="stacked">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What changed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((v) => (
              <tr key={v.version} className={v.version === current ? 'current' : undefined}>
                <td data-label="Version">
                  <span>
                    {v.version}
                    {v.version === current && <span className="badge current-version">current</span>}
                  </span>
                </td>
                <td data-label="When">{when(v.createdAt)}</td>
                <td data-label="Who">{versionAuthor(v)}</td>
                <td data-label="What changed">
                  {SOURCE_WORDS[v.source]}
                  {v.changedPaths.length > 0 && `: ${changesInWords(v.changedPaths)}`}
                </td>
                <td>
                  <div className="row-actions">
                    <button type="button" onClick={() => void open(v.version)}>
                      Open v{v.version}
                    </button>
                    <button type="button" onClick={() => void showChanges(v.version)}>
                      Changes in v{v.version}
                    </button>
                    {v.version !== current && (
                      <button type="button" onClick={() => void compareWithCurrent(v.version)}>
                        Compare v{v.version} with current
                      </button>
                    )}
                    {canRestore && v.version !== current && (
                      <button type="button" onClick={() => void askRestore(v.version)}>
                        Restore v{v.version}…
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore !== null && (
        <button type="button" onClick={() => void loadMore()} disabled={loading}>
          {loading ? 'Loading older versions…' : 'Show older versions'}
        </button>
      )}
      {comparison && (
        <section className="card comparison" aria-labelledby="comparison-heading">
          <div className="heading">
            <h3 id="comparison-heading" tabIndex={-1} ref={comparisonHeading}>
              {comparison.title}
            </h3>
            <button type="button" onClick={() => setComparison(null)}>
              Close
            </button>
          </div>
          {comparison.changes.length === 0 ? (
            <p>No differences: the two configurations are the same.</p>
          ) : (
            <VersionTable
              changes={comparison.changes}
              before={comparison.before}
              after={comparison.after}
              caption={comparison.title}
            />
          )}
        </section>
      )}
      {question && (
        <ConfirmDialog
          title={`Restore version ${question.version}?`}
          confirmLabel={`Restore version ${question.version}`}
          busy={restoring}
          onConfirm={() => void restore()}
          onCancel={() => setQuestion(null)}
        >
          {question.changes.length === 0 ? (
            <p>
              Version {question.version} is the same as the current configuration: restoring changes nothing.
            </p>
          ) : (
            <>
              <p>
                Its configuration becomes current again, sent to the provider and kept as version{' '}
                {current + 1}. This changes:
              </p>
              <VersionTable
                changes={question.changes}
                before={`Now (version ${current})`}
                after={`After restoring version ${question.version}`}
                caption={`What restoring version ${question.version} changes`}
              />
            </>
          )}
          {unsavedFields.length > 0 && (
            <p className="banner warning">
              Your unsaved changes ({unsavedFields.join(', ')}) are discarded by the restore.
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
