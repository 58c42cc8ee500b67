import { ConfirmDialog } from './confirm-dialog.tsx';

/** Asks before leaving a form with unsaved changes, naming them. */
export function UnsavedChangesDialog({
  fields,
  onLeave,
  onStay,
}: {
  /** The unsaved fields, in words. */
  fields: string;
  onLeave: () => void;
  onStay: () => void;
}) {
  return (
    <ConfirmDialog
      title="Leave without saving?"
      confirmLabel="Discard changes and leave"
      cancelLabel="Stay and keep editing"
      danger
      onConfirm={onLeave}
      onCancel={onStay}
    >
      <p>Your changes to {fields} are not saved. Leaving this page discards them.</p>
    </ConfirmDialog>
  );
}
