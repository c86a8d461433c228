ALTER TABLE "syncs" ADD COLUMN "last_full_sync_at" timestamp with time zone;--> statement-breakpoint
-- Backfill: the finish time of each sync's last successful full run, so existing incremental syncs do not all resync at once.
UPDATE "syncs" SET "last_full_sync_at" = (SELECT max("finished_at") FROM "sync_runs" WHERE "sync_runs"."sync_id" = "syncs"."id" AND "sync_runs"."mode" = 'full' AND "sync_runs"."status" = 'succeeded');
