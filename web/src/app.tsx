import { useCallback, useEffect, useState } from 'react';
import { AccountPage } from './account-page.tsx';
import { ApiError, answer, api, describeError, type Me, type Role, roleAtLeast } from './api.ts';
import { ApiKeysPage } from './api-keys-page.tsx';
import { AssistantPage } from './assistant-page.tsx';
import { AssistantsPage } from './assistants-page.tsx';
import { AuditPage } from './audit-page.tsx';
import { ConnectionsPage } from './connections-page.tsx';
import { ErrorMessage } from './error-message.tsx';
import { InvitationPage } from './invitation-page.tsx';
import { JobsPage } from './jobs-page.tsx';
import { MembersPage } from './members-page.tsx';
import { NewAssistantPage } from './new-assistant-page.tsx';
import { useDocumentTitle } from './page-title.tsx';
import { ResetPasswordPage } from './reset-password-page.tsx';
import { SignIn } from './sign-in.tsx';
import { leaveThen, linkPageOf, navigate, useRoute } from './use-route.ts';

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
  return <Dashboard route={route} />;
}

function Loading({ error }: { error: string | null }) {
  useDocumentTitle('Loading');
  return (
    <main className="page">{error ? <ErrorMessage text={error} /> : <p role="status">Loading…</p>}</main>
  );
}

function Dashboard({ route }: { route: string }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

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

  if (me === undefined) return <Loading error={error} />;
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

  const link = (path: string, title: string, current = route === path) => (
    <a key={path} href={`#${path}`} aria-current={current ? 'page' : undefined}>
      {title}
    </a>
  );

  return (
    <>
      <header className="topbar">
        <a className="brand" href="#/assistants">
          Switchboard
        </a>
        <nav aria-label="Main">
          {link('/assistants', 'Assistants', route.startsWith('/assistants'))}
          {link('/connections', 'Connections')}
          {link('/jobs', 'Jobs')}
          {roleAtLeast(role, 'admin') && ADMIN_PAGES.map(([path, title]) => link(path, title))}
          <a href="/docs" target="_blank" rel="noopener">
            API docs<span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        </nav>
        <div className="session">
          <label htmlFor="org-switcher">Organization</label>
          <select
            id="org-switcher"
            value={me.activeOrgId ?? ''}
            onChange={(e) => {
              const orgId = e.target.value;
              leaveThen(() => void switchOrg(orgId));
            }}
          >
            {me.activeOrgId === null && <option value="">Choose…</option>}
            {me.memberships.map((m) => (
              <option key={m.orgId} value={m.orgId}>
                {m.orgName} ({m.role})
              </option>
            ))}
          </select>
          {link('/account', me.user.email)}
          <button type="button" onClick={() => leaveThen(() => void signOut())}>
            Sign out
          </button>
        </div>
      </header>
      <main className="page">
        <ErrorMessage text={error} />
        {route === '/account' || !role ? (
          <>
            {!role && (
              <p className="banner info">
                You are not a member of an organization yet. Ask an admin of one to invite you, or create your
                own below.
              </p>
            )}
            <AccountPage email={me.user.email} onOrgCreated={(orgId) => void switchOrg(orgId)} />
          </>
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
  if (assistant?.[1]) return <AssistantPage id={assistant[1]} role={role} orgId={orgId} key={assistant[1]} />;
  if (route === '/connections') return <ConnectionsPage orgId={orgId} role={role} />;
  if (route === '/jobs') return <JobsPage orgId={orgId} role={role} />;
  if (roleAtLeast(role, 'admin')) {
    if (route === '/members') return <MembersPage orgId={orgId} role={role} />;
    if (route === '/api-keys') return <ApiKeysPage orgId={orgId} role={role} />;
    if (route === '/audit') return <AuditPage orgId={orgId} />;
  }
  return <AssistantsPage role={role} orgId={orgId} />;
}
