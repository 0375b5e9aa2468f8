CREATE TABLE `instance_captures` (
	`task_id` varchar(36) NOT NULL,
	`instance_id` varchar(36) NOT NULL,
	`host_id` varchar(36) NOT NULL,
	`image_name` varchar(128) NOT NULL,
	`owner_id` int,
	`group_id` int,
	`image_id` varchar(36),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `instance_captures_task_id` PRIMARY KEY(`task_id`)
);
--> statement-breakpoint
CREATE TABLE `snapshots` (
	`id` varchar(36) NOT NULL,
	`instance_id` varchar(36) NOT NULL,
	`name` varchar(64) NOT NULL,
	`state` enum('creating','ready','reverting','deleting','deleted','error') NOT NULL DEFAULT 'creating',
	`size_bytes` bigint,
	`error_reason` varchar(2000),
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`deleted_at` datetime(3),
	CONSTRAINT `snapshots_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `volumes` (
	`id` varchar(36) NOT NULL,
	`name` varchar(64) NOT NULL,
	`owner_id` int NOT NULL,
	`group_id` int,
	`host_id` varchar(36) NOT NULL,
	`size_gib` int NOT NULL,
	`state` enum('creating','available','attaching','attached','detaching','deleting','deleted','error') NOT NULL DEFAULT 'creating',
	`instance_id` varchar(36),
	`error_reason` varchar(2000),
	`op_seq` int NOT NULL DEFAULT 0,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`deleted_at` datetime(3),
	CONSTRAINT `volumes_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `instance_captures` ADD CONSTRAINT `instance_captures_task_id_tasks_id_fk` FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instance_captures` ADD CONSTRAINT `instance_captures_instance_id_instances_id_fk` FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instance_captures` ADD CONSTRAINT `instance_captures_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instance_captures` ADD CONSTRAINT `instance_captures_owner_id_users_id_fk` FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instance_captures` ADD CONSTRAINT `instance_captures_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `snapshots` ADD CONSTRAINT `snapshots_instance_id_instances_id_fk` FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `snapshots` ADD CONSTRAINT `snapshots_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `volumes` ADD CONSTRAINT `volumes_owner_id_users_id_fk` FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `volumes` ADD CONSTRAINT `volumes_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `volumes` ADD CONSTRAINT `volumes_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `volumes` ADD CONSTRAINT `volumes_instance_id_instances_id_fk` FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `instance_captures_instance_idx` ON `instance_captures` (`instance_id`);--> statement-breakpoint
CREATE INDEX `snapshots_instance_idx` ON `snapshots` (`instance_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `volumes_owner_idx` ON `volumes` (`owner_id`,`state`);--> statement-breakpoint
CREATE INDEX `volumes_instance_idx` ON `volumes` (`instance_id`);--> statement-breakpoint
CREATE INDEX `volumes_host_idx` ON `volumes` (`host_id`);