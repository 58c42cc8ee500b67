import type { FieldChange } from './version-diff.ts';

/** Two configurations side by side, one row per field that differs; empty values say so. */
export function VersionTable({
  changes,
  before,
  after,
  caption,
}: {
  changes: FieldChange[];
  /** Column headings, e.g. "Version 2" and "Version 3". */
  before: string;
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
            <th scope="col">{before}</th>
            <th scope="col">{after}</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.path}>
              <th scope="row">{change.label}</th>
              <td className="removed" data-label={before}>
                <Value text={change.before} />
              </td>
              <td className="added" data-label={after}>
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
