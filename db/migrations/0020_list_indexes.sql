CREATE INDEX `users_created_idx` ON `users` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `images_name_idx` ON `images` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `images_created_idx` ON `images` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `instances_created_idx` ON `instances` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `instances_name_idx` ON `instances` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `instances_owner_created_idx` ON `instances` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `instances_group_created_idx` ON `instances` (`group_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `instances_state_created_idx` ON `instances` (`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_state_created_idx` ON `tasks` (`state`,`created_at`);