CREATE TABLE `group_catalogue` (
	`group_id` int NOT NULL,
	`kind` enum('image','flavor','network','host') NOT NULL,
	`item_id` varchar(36) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `group_catalogue_group_id_kind_item_id_pk` PRIMARY KEY(`group_id`,`kind`,`item_id`)
);
--> statement-breakpoint
CREATE TABLE `password_reset_tokens` (
	`token_hash` varchar(64) NOT NULL,
	`user_id` int NOT NULL,
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`expires_at` datetime(3) NOT NULL,
	`used_at` datetime(3),
	CONSTRAINT `password_reset_tokens_token_hash` PRIMARY KEY(`token_hash`)
);
--> statement-breakpoint
CREATE TABLE `portal_settings` (
	`key` varchar(64) NOT NULL,
	`value` json NOT NULL,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_by` int,
	CONSTRAINT `portal_settings_key` PRIMARY KEY(`key`)
);
--> statement-breakpoint
CREATE TABLE `quota_limits` (
	`subject` enum('role','user','group') NOT NULL,
	`subject_id` varchar(36) NOT NULL,
	`instances` int,
	`vcpus` int,
	`ram_mib` int,
	`disk_gib` int,
	`ip_addresses` int,
	`snapshots` int,
	`images` int,
	`image_gib` int,
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_by` int,
	CONSTRAINT `quota_limits_subject_subject_id_pk` PRIMARY KEY(`subject`,`subject_id`)
);
--> statement-breakpoint
ALTER TABLE `user_groups` ADD `kind` enum('class','project') DEFAULT 'class' NOT NULL;--> statement-breakpoint
ALTER TABLE `memberships` ADD `is_admin` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `pending_approval` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `flavors` ADD `group_id` int;--> statement-breakpoint
ALTER TABLE `instances` ADD `batch_id` varchar(36);--> statement-breakpoint
ALTER TABLE `group_catalogue` ADD CONSTRAINT `group_catalogue_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `password_reset_tokens` ADD CONSTRAINT `password_reset_tokens_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `password_reset_tokens` ADD CONSTRAINT `password_reset_tokens_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `portal_settings` ADD CONSTRAINT `portal_settings_updated_by_users_id_fk` FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `quota_limits` ADD CONSTRAINT `quota_limits_updated_by_users_id_fk` FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `group_catalogue_item_idx` ON `group_catalogue` (`kind`,`item_id`);--> statement-breakpoint
CREATE INDEX `password_reset_tokens_user_idx` ON `password_reset_tokens` (`user_id`);--> statement-breakpoint
ALTER TABLE `flavors` ADD CONSTRAINT `flavors_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `instances_batch_idx` ON `instances` (`batch_id`);--> statement-breakpoint
UPDATE `memberships` m JOIN `users` u ON u.`id` = m.`user_id` SET m.`is_admin` = true WHERE u.`role` IN ('powerAdm', 'superAdm');
