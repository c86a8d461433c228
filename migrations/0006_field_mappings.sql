CREATE TABLE "field_mappings" (
	"id" text PRIMARY KEY NOT NULL,
	"environment_id" text NOT NULL,
	"integration_id" text NOT NULL,
	"connection_id" text,
	"object" text NOT NULL,
	"model" text NOT NULL,
	"fields" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "field_mappings" ADD CONSTRAINT "field_mappings_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "field_mappings" ADD CONSTRAINT "field_mappings_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "field_mappings" ADD CONSTRAINT "field_mappings_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "field_mappings_default" ON "field_mappings" USING btree ("integration_id","object") WHERE connection_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX "field_mappings_connection" ON "field_mappings" USING btree ("connection_id","object") WHERE connection_id is not null;