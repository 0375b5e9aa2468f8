ALTER TABLE `instance_events` ADD `code` varchar(80);--> statement-breakpoint
ALTER TABLE `instance_events` ADD `params` json;--> statement-breakpoint
ALTER TABLE `tasks` ADD `message_code` varchar(80);--> statement-breakpoint
ALTER TABLE `tasks` ADD `message_params` json;--> statement-breakpoint
ALTER TABLE `tasks` ADD `error_code` varchar(80);--> statement-breakpoint
ALTER TABLE `tasks` ADD `error_params` json;--> statement-breakpoint
ALTER TABLE `snapshots` ADD `error_code` varchar(80);--> statement-breakpoint
ALTER TABLE `snapshots` ADD `error_params` json;--> statement-breakpoint
ALTER TABLE `volumes` ADD `error_code` varchar(80);--> statement-breakpoint
ALTER TABLE `volumes` ADD `error_params` json;