CREATE TABLE "discovered_fields" (
	"connection_id" text NOT NULL,
	"object" text NOT NULL,
	"fields" jsonb NOT NULL,
	"discovered_at" timestamp with time zone,
	"attempted_at" timestamp with time zone NOT NULL,
	"error" text,
	CONSTRAINT "discovered_fields_connection_id_object_pk" PRIMARY KEY("connection_id","object")
);
--> statement-breakpoint
ALTER TABLE "discovered_fields" ADD CONSTRAINT "discovered_fields_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;