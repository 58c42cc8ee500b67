import { useState } from 'react';
import { editedFields, type FieldName, type FormValues } from './assistant-form.ts';

/**
 * The assistant form's values and errors, as both the new and the edit page keep them: a field's
 * error goes as soon as that field changes (the server judges it again on save), and `edited`
 * lists what differs from `baseline` (what was loaded, or the empty form).
 */
export function useAssistantForm(baseline: FormValues | null) {
  const [values, setValues] = useState<FormValues | null>(baseline);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});

  const change = (field: FieldName, value: string) => {
    setValues((current) => (current ? { ...current, [field]: value } : current));
    setErrors(({ [field]: _fixed, ...rest }) => rest);
  };

  const edited = baseline && values ? editedFields(baseline, values) : [];
  return { values, setValues, errors, setErrors, change, edited };
}
