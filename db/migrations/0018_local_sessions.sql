CREATE TABLE `local_sessions` (
	`id` varchar(36) NOT NULL,
	`host_id` varchar(36) NOT NULL,
	`user_id` int,
	`profile_id` int,
	`profile_name` varchar(64) NOT NULL,
	`profile_version` int NOT NULL,
	`started_at` datetime(3) NOT NULL,
	`ended_at` datetime(3),
	`reported_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `local_sessions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `local_sessions` ADD CONSTRAINT `local_sessions_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `local_sessions` ADD CONSTRAINT `local_sessions_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `local_sessions` ADD CONSTRAINT `local_sessions_profile_id_profiles_id_fk` FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `local_sessions_host_ended_idx` ON `local_sessions` (`host_id`,`ended_at`);