import { type ReactNode, type Ref, useRef, useState } from 'react';

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

/** The address someone signs in with; the browser's password manager fills it as the username. */
export function EmailField({
  value,
  onChange,
  inputRef,
}: {
  value: string;
  onChange: (value: string) => void;
  inputRef?: ((element: HTMLInputElement | null) => void) | undefined;
}) {
  return (
    <label>
      Email
      <input
        type="email"
        autoComplete="username"
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
        ref={inputRef}
      />
    </label>
  );
}

/** The server's bounds on a new password (POST /auth/password, resets, new accounts). */
const NEW_PASSWORD = { minLength: 8, maxLength: 1024 };

/** The words for two passwords that differ, at the second field. */
export const PASSWORDS_DIFFER = 'The two passwords are not the same. Type the new password again.';

/**
 * A new password with its rule said up front, and optionally typed a second time (`confirmation`)
 * to catch a slip before it locks someone out.
 */
export function NewPasswordFields({
  id,
  label,
  value,
  onChange,
  error,
  confirmation,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  confirmation?: {
    value: string;
    onChange: (value: string) => void;
    error?: string | undefined;
    inputRef?: Ref<HTMLInputElement>;
  };
}) {
  return (
    <>
      <FormField id={id} label={label} hint={`At least ${NEW_PASSWORD.minLength} characters.`} error={error}>
        {(input) => (
          <input
            {...input}
            type="password"
            autoComplete="new-password"
            required
            {...NEW_PASSWORD}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )}
      </FormField>
      {confirmation && (
        <FormField id={`${id}-confirm`} label={`Confirm ${label.toLowerCase()}`} error={confirmation.error}>
          {(input) => (
            <input
              {...input}
              ref={confirmation.inputRef}
              type="password"
              autoComplete="new-password"
              required
              value={confirmation.value}
              onChange={(e) => confirmation.onChange(e.target.value)}
            />
          )}
        </FormField>
      )}
    </>
  );
}

/**
 * A new password typed twice: its value, the `confirmation` for NewPasswordFields, and `matches()`,
 * which says whether the two agree and, when not, says so at the second and puts the keyboard there.
 */
export function useNewPassword() {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [differ, setDiffer] = useState(false);
  const confirmInput = useRef<HTMLInputElement>(null);

  const matches = () => {
    const same = password === confirm;
    setDiffer(!same);
    if (!same) confirmInput.current?.focus();
    return same;
  };
  const clear = () => {
    setPassword('');
    setConfirm('');
  };
  const confirmation = {
    value: confirm,
    onChange: setConfirm,
    error: differ ? PASSWORDS_DIFFER : undefined,
    inputRef: confirmInput,
  };
  return { password, setPassword, matches, clear, confirmation };
}
