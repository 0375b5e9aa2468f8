CREATE TABLE `user_groups` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`description` varchar(500) NOT NULL DEFAULT '',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `user_groups_id` PRIMARY KEY(`id`),
	CONSTRAINT `user_groups_name_uq` UNIQUE(`name`)
);
--> statement-breakpoint
CREATE TABLE `memberships` (
	`user_id` int NOT NULL,
	`group_id` int NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `memberships_user_id_group_id_pk` PRIMARY KEY(`user_id`,`group_id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` int AUTO_INCREMENT NOT NULL,
	`username` varchar(64) NOT NULL,
	`display_name` varchar(128) NOT NULL,
	`email` varchar(254),
	`password_hash` varchar(255) NOT NULL,
	`role` enum('user','powerUser','powerAdm','superAdm') NOT NULL DEFAULT 'user',
	`disabled` boolean NOT NULL DEFAULT false,
	`locale` varchar(10) NOT NULL DEFAULT 'en',
	`theme` enum('system','light','dark') NOT NULL DEFAULT 'system',
	`session_version` int NOT NULL DEFAULT 1,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_login_at` datetime(3),
	CONSTRAINT `users_id` PRIMARY KEY(`id`),
	CONSTRAINT `users_username_uq` UNIQUE(`username`)
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`actor_id` int,
	`actor_name` varchar(64) NOT NULL,
	`action` varchar(96) NOT NULL,
	`target_type` varchar(32),
	`target_id` varchar(64),
	`result` enum('success','failure') NOT NULL,
	`error_code` varchar(48),
	`detail` json,
	`source_ip` varchar(45),
	CONSTRAINT `audit_log_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `memberships` ADD CONSTRAINT `memberships_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `memberships` ADD CONSTRAINT `memberships_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `memberships_group_idx` ON `memberships` (`group_id`);--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_actor_idx` ON `audit_log` (`actor_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_action_idx` ON `audit_log` (`action`,`at`);