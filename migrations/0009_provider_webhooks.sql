ALTER TABLE "integrations" ADD COLUMN "webhook_secret_enc" text;--> statement-breakpoint
CREATE INDEX "connections_config" ON "connections" USING gin ("connection_config" jsonb_path_ops);