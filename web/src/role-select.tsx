import { ROLES, type Role, roleAtLeast } from './api.ts';

/** The roles someone holding `grantor` may hand out; nobody grants more than they hold. */
export function RoleSelect({
  id,
  grantor,
  value,
  onChange,
  ...aria
}: {
  id: string;
  grantor: Role;
  value: Role;
  onChange: (role: Role) => void;
  'aria-invalid'?: true | undefined;
  'aria-describedby'?: string | undefined;
}) {
  return (
    <select id={id} {...aria} value={value} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.filter((r) => roleAtLeast(grantor, r)).map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}
