-- How many of an import's assistants were new (the rest were managed already); null for a bulk change.
ALTER TABLE "jobs" ADD COLUMN "imported" integer;
