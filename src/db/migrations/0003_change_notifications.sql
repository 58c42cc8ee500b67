-- Every server caches sessions, API keys and assistants in memory and drops an entry when the
-- database announces a change to it (src/db/caches.ts). The announcement is sent at commit.
CREATE FUNCTION switchboard_notify_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('switchboard_auth', TG_TABLE_NAME);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER sessions_changed AFTER UPDATE OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION switchboard_notify_auth();
--> statement-breakpoint
CREATE TRIGGER memberships_changed AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION switchboard_notify_auth();
--> statement-breakpoint
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION switchboard_notify_auth();
--> statement-breakpoint
CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION switchboard_notify_auth();
--> statement-breakpoint
CREATE FUNCTION switchboard_notify_assistant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('switchboard_assistant', OLD.org_id::text || '|' || OLD.id::text || '|' || OLD.provider_assistant_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- What an answer shows changes only with the version or the sync state (the reconciler's
-- last_synced_at stamps are not announced).
CREATE TRIGGER assistants_changed AFTER UPDATE ON assistants
  FOR EACH ROW WHEN (OLD.version <> NEW.version OR OLD.sync_state <> NEW.sync_state OR OLD.org_id <> NEW.org_id)
  EXECUTE FUNCTION switchboard_notify_assistant();
--> statement-breakpoint
CREATE TRIGGER assistants_deleted AFTER DELETE ON assistants
  FOR EACH ROW EXECUTE FUNCTION switchboard_notify_assistant();
