import { useEffect, useRef } from 'react';
import type { BulkPreview } from './api.ts';
import { fieldWords } from './field-words.ts';
import type { FieldChange } from './version-diff.ts';
import { VersionTable } from './version-table.tsx';
import { assistantsWords } from './words.ts';

/** Assistants shown one table each; the rest are counted. */
const SHOWN = 50;

type PreviewItem = BulkPreview['items'][number];

const valueText = (value: PreviewItem['changes'][number]['from']) => (value === null ? '' : String(value));

const fieldChanges = (item: PreviewItem): FieldChange[] =>
  item.changes.map((c) => ({
    path: c.field,
    label: fieldWords(c.field),
    before: valueText(c.from),
    after: valueText(c.to),
  }));

/**
 * A dry run's answer: for each assistant that would change, each field from and to; or that
 * nothing would. Its summary takes the keyboard when it appears, as the outcome of Preview.
 */
export function BulkPreviewList({ preview }: { preview: BulkPreview }) {
  const summary = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    summary.current?.focus();
  }, []);
  const changing = preview.items.length;
  return (
    <section className="bulk-preview" aria-labelledby="bulk-preview-heading">
      <h3 id="bulk-preview-heading" className="bulk-preview-title">
        Preview
      </h3>
      <p ref={summary} tabIndex={-1} role="status">
        {changing === 0
          ? `Nothing would change: ${preview.total === 1 ? 'the assistant already has' : `all ${assistantsWords(preview.total)} already have`} these values. Nothing was sent.`
          : `${assistantsWords(changing)} of ${preview.total} would change. Nothing has been sent yet.`}
      </p>
      {preview.items.slice(0, SHOWN).map((item) => {
        const name = item.name ?? '(unnamed)';
        return (
          <div key={item.assistantId} className="bulk-preview-item">
            <h4 className="bulk-preview-title">
              <a href={`#/assistants/${item.assistantId}`}>{name}</a>
            </h4>
            <VersionTable
              changes={fieldChanges(item)}
              before="From"
              after="To"
              caption={`Changes to ${name}`}
            />
          </div>
        );
      })}
      {changing > SHOWN && <p>…and {assistantsWords(changing - SHOWN)} more.</p>}
    </section>
  );
}
