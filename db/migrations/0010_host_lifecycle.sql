ALTER TABLE `hosts` ADD `revoked_at` datetime(3);--> statement-breakpoint
ALTER TABLE `hosts` ADD `facts_refused` json;--> statement-breakpoint
ALTER TABLE `hosts` ADD `facts_refused_at` datetime(3);