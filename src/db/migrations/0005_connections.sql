-- Each organization reaches providers through its own connections (SPEC section 9).
CREATE TABLE "connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"name" text NOT NULL,
	"base_url" text,
	"api_key_sealed" text,
	"key_hint" text,
	"provider_account_id" text,
	"status" text DEFAULT 'ok' NOT NULL,
	"checked_at" timestamp (3) with time zone,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connections_provider_check" CHECK ("connections"."provider" in ('vapi', 'retell', 'sandbox')),
	CONSTRAINT "connections_status_check" CHECK ("connections"."status" in ('ok', 'invalid', 'unreachable'))
);
--> statement-breakpoint
CREATE TABLE "sandbox_assistants" (
	"connection_id" uuid NOT NULL,
	"id" text NOT NULL,
	"assistant" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "sandbox_assistants_connection_id_id_pk" PRIMARY KEY("connection_id","id")
);
--> statement-breakpoint
ALTER TABLE "assistants" ALTER COLUMN "provider_assistant_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "assistants" ADD COLUMN "connection_id" uuid;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "default_connection_id" uuid;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_assistants" ADD CONSTRAINT "sandbox_assistants_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connections_org_name_idx" ON "connections" USING btree ("org_id","name");--> statement-breakpoint
CREATE INDEX "sandbox_assistants_created_idx" ON "sandbox_assistants" USING btree ("connection_id","created_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "assistants" ADD CONSTRAINT "assistants_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_default_connection_id_connections_id_fk" FOREIGN KEY ("default_connection_id") REFERENCES "public"."connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assistants_connection_idx" ON "assistants" USING btree ("connection_id");--> statement-breakpoint
-- Existing assistants lived in the one server-wide Vapi account. Each organization that has some
-- gets a Vapi connection without a key yet; on start, Switchboard seals the server's VAPI_API_KEY
-- into it or, without one, moves its assistants into the organization's sandbox
-- (src/connections/legacy-assistants.ts). Nothing is lost either way.
INSERT INTO "connections" ("org_id", "provider", "name")
  SELECT DISTINCT "org_id", 'vapi', 'Vapi' FROM "assistants";--> statement-breakpoint
UPDATE "assistants" a SET "connection_id" = c."id"
  FROM "connections" c WHERE c."org_id" = a."org_id";--> statement-breakpoint
-- Every existing organization gets its sandbox, as new ones do; the default is the old account's
-- connection where the organization has assistants there, its sandbox otherwise.
INSERT INTO "connections" ("org_id", "provider", "name", "checked_at")
  SELECT "id", 'sandbox', 'Sandbox', now() FROM "organizations";--> statement-breakpoint
UPDATE "organizations" o SET "default_connection_id" = c."id"
  FROM "connections" c WHERE c."org_id" = o."id" AND c."provider" = 'sandbox';--> statement-breakpoint
UPDATE "organizations" o SET "default_connection_id" = c."id"
  FROM "connections" c WHERE c."org_id" = o."id" AND c."provider" = 'vapi';--> statement-breakpoint
ALTER TABLE "assistants" ALTER COLUMN "connection_id" SET NOT NULL;--> statement-breakpoint
-- A create in progress has no provider id yet: announce it as empty rather than dropping the payload.
CREATE OR REPLACE FUNCTION switchboard_notify_assistant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id THEN
    PERFORM pg_notify('switchboard_assistant', NEW.org_id::text || '|' || NEW.id::text || '|'
      || coalesce(NEW.provider_assistant_id, '') || '|' || NEW.version::text || '|' || NEW.sync_state);
  ELSE
    PERFORM pg_notify('switchboard_assistant', OLD.org_id::text || '|' || OLD.id::text || '|'
      || coalesce(OLD.provider_assistant_id, ''));
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER "assistants_changed" ON "assistants";--> statement-breakpoint
-- The provider id is announced too: a create's outcome sets it.
CREATE TRIGGER assistants_changed AFTER UPDATE ON assistants
  FOR EACH ROW WHEN (OLD.version <> NEW.version OR OLD.sync_state <> NEW.sync_state OR OLD.org_id <> NEW.org_id
    OR OLD.provider_assistant_id IS DISTINCT FROM NEW.provider_assistant_id)
  EXECUTE FUNCTION switchboard_notify_assistant();--> statement-breakpoint
-- Every server caches connections and the provider clients built from them (src/db/caches.ts).
CREATE FUNCTION switchboard_notify_connection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('switchboard_connection', OLD.id::text);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER connections_changed AFTER UPDATE OR DELETE ON connections
  FOR EACH ROW EXECUTE FUNCTION switchboard_notify_connection();
