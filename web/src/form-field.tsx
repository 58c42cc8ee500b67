import type { ReactNode } from 'react';

export interface FieldInputProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** A labelled input with its hint and its error from the server, both tied to it for screen readers. */
export function FormField({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (input: FieldInputProps) => ReactNode;
}) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described || undefined })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A text input for a provider's API key: hidden as typed, never autofilled or spell-checked. */
export function SecretKeyInput({
  input,
  value,
  onChange,
  inputRef,
}: {
  input: FieldInputProps;
  value: string;
  onChange: (value: string) => void;
  inputRef?: (element: HTMLInputElement | null) => void;
}) {
  return (
    <input
      {...input}
      type="password"
      autoComplete="off"
      spellCheck={false}
      required
      value={value}
      onChange={(e) => onChange(e.target.value)}
      ref={inputRef}
    />
  );
}

/** An inline form's submit and Cancel buttons; the submit says what it is doing while it works. */
export function SubmitOrCancel({
  label,
  workingLabel,
  working,
  disabled,
  onCancel,
}: {
  label: string;
  workingLabel: string;
  working: boolean;
  disabled: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={disabled}>
        {working ? workingLabel : label}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
