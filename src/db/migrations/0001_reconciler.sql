ALTER TABLE "assistants" ADD COLUMN "last_synced_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "assistants_last_synced_idx" ON "assistants" USING btree ("last_synced_at");