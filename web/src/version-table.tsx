import type { FieldChange } from './version-diff.ts';

/**
 * Two configurations side by side, one row per field that differs; empty values say so. Without
 * `before`, one configuration's fields alone (a version opened to read).
 */
export function VersionTable({
  changes,
  before,
  after,
  caption,
}: {
  changes: FieldChange[];
  /** Column headings, e.g. "Version 2" and "Version 3". */
  before: string | null;
  after: string;
  caption: string;
}) {
  return (
    <div className="diff-scroll">
      <table className="diff">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            {before !== null && <th scope="col">{before}</th>}
            <th scope="col">{after}</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.path}>
              <th scope="row">{change.label}</th>
              {before !== null && (
                <td className="removed" data-label={before}>
                  <Value text={change.before} />
                </td>
              )}
              <td className={before === null ? undefined : 'added'} data-label={after}>
                <Value text={change.after} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Value({ text }: { text: string }) {
  return text === '' ? <span className="unset">(not set)</span> : <pre className="value">{text}</pre>;
}
