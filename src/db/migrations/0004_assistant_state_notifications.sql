-- An assistant's notification now carries the version and sync state the change left behind
-- (`org|id|providerId|version|syncState`), so a server whose cache already holds that state or a
-- newer one keeps its entry: its own update's notification, arriving after it stored the row,
-- does not evict it. A delete, or a move to another organization, names the old row without a
-- state, which always evicts.
CREATE OR REPLACE FUNCTION switchboard_notify_assistant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id THEN
    PERFORM pg_notify('switchboard_assistant', NEW.org_id::text || '|' || NEW.id::text || '|'
      || NEW.provider_assistant_id || '|' || NEW.version::text || '|' || NEW.sync_state);
  ELSE
    PERFORM pg_notify('switchboard_assistant', OLD.org_id::text || '|' || OLD.id::text || '|' || OLD.provider_assistant_id);
  END IF;
  RETURN NULL;
END $$;
