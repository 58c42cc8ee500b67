import { useCallback, useEffect, useState } from 'react';
import { ApiError, answer, api, describeError, type Me, type Role, roleAtLeast } from './api.ts';
import { ApiKeysPage } from './api-keys-page.tsx';
import { AssistantPage } from './assistant-page.tsx';
import { AssistantsPage } from './assistants-page.tsx';
import { AuditPage } from './audit-page.tsx';
import { ConnectionsPage } from './connections-page.tsx';
import { ErrorMessage } from './error-message.tsx';
import { InvitationPage } from './invitation-page.tsx';
import { MembersPage } from './members-page.tsx';
import { NewAssistantPage } from './new-assistant-page.tsx';
import { ResetPasswordPage } from './reset-password-page.tsx';
import { SignIn } from './sign-in.tsx';
import { linkPageOf, navigate, useRoute } from './use-route.ts';

const ADMIN_PAGES = [
  ['/members', 'Members'],
  ['/api-keys', 'API keys'],
  ['/audit', 'Audit log'],
] as const;

/** A link someone was sent (an invitation, a password reset) opens its own page; all else is the dashboard. */
export function App() {
  const route = useRoute();
  const link = linkPageOf({ pathname: window.location.pathname, hash: `#${route}` });
  if (link?.page === 'invitation') return <InvitationPage token={link.token} key={link.token} />;
  if (link?.page === 'reset-password') return <ResetPasswordPage token={link.token} key={link.token} />;
  return <Dashboard />;
}

function Dashboard() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();

  const loadMe = useCallback(async () => {
    try {
      setMe((await answer(api.GET('/auth/me'))).data);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  if (me === undefined)
    return <main className="page">{error ? <ErrorMessage text={error} /> : <p>Loading…</p>}</main>;
  if (me === null) return <SignIn onSignedIn={setMe} />;

  const active = me.memberships.find((m) => m.orgId === me.activeOrgId);
  const role = active?.role;

  const switchOrg = async (orgId: string) => {
    try {
      setMe((await answer(api.POST('/auth/active-org', { body: { orgId } }))).data);
      navigate('/assistants');
    } catch (e) {
      setError(describeError(e));
    }
  };

  const signOut = async () => {
    await answer(api.POST('/auth/logout')).catch(() => undefined);
    setMe(null);
  };

  return (
    <>
      <header className="topbar">
        <a className="brand" href="#/assistants">
          Switchboard
        </a>
        <nav aria-label="Main">
          <a href="#/assistants" aria-current={route.startsWith('/assistants') ? 'page' : undefined}>
            Assistants
          </a>
          <a href="#/connections" aria-current={route === '/connections' ? 'page' : undefined}>
            Connections
          </a>
          {roleAtLeast(role, 'admin') &&
            ADMIN_PAGES.map(([path, title]) => (
              <a key={path} href={`#${path}`} aria-current={route === path ? 'page' : undefined}>
                {title}
              </a>
            ))}
        </nav>
        <div className="session">
          <label htmlFor="org-switcher">Organization</label>
          <select
            id="org-switcher"
            value={me.activeOrgId ?? ''}
            onChange={(e) => void switchOrg(e.target.value)}
          >
            {me.activeOrgId === null && <option value="">Choose…</option>}
            {me.memberships.map((m) => (
              <option key={m.orgId} value={m.orgId}>
                {m.orgName} ({m.role})
              </option>
            ))}
          </select>
          <span className="who">{me.user.email}</span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="page">
        <ErrorMessage text={error} />
        {!role ? (
          <p>You are not a member of an organization yet. Ask an admin of one to invite you.</p>
        ) : (
          <Routed route={route} role={role} orgId={me.activeOrgId as string} key={me.activeOrgId} />
        )}
      </main>
    </>
  );
}

function Routed({ route, role, orgId }: { route: string; role: Role; orgId: string }) {
  if (route === '/assistants/new' && roleAtLeast(role, 'editor')) return <NewAssistantPage orgId={orgId} />;
  const assistant = /^\/assistants\/([^/]+)$/.exec(route);
  if (assistant?.[1]) return <AssistantPage id={assistant[1]} role={role} orgId={orgId} />;
  if (route === '/connections') return <ConnectionsPage orgId={orgId} role={role} />;
  if (roleAtLeast(role, 'admin')) {
    if (route === '/members') return <MembersPage orgId={orgId} role={role} />;
    if (route === '/api-keys') return <ApiKeysPage orgId={orgId} role={role} />;
    if (route === '/audit') return <AuditPage orgId={orgId} />;
  }
  return <AssistantsPage role={role} orgId={orgId} />;
}
