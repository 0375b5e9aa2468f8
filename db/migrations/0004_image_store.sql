CREATE TABLE `tasks` (
	`id` varchar(36) NOT NULL,
	`kind` varchar(32) NOT NULL,
	`target_type` varchar(32) NOT NULL,
	`target_id` varchar(64),
	`target_name` varchar(128) NOT NULL,
	`host_id` varchar(36),
	`state` enum('queued','running','succeeded','failed') NOT NULL DEFAULT 'queued',
	`percent` int NOT NULL DEFAULT 0,
	`bytes_done` bigint,
	`bytes_total` bigint,
	`message` varchar(500),
	`error` varchar(2000),
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`started_at` datetime(3),
	`finished_at` datetime(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `tasks_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `host_images` ADD `state` enum('fetching','cached','failed') DEFAULT 'cached' NOT NULL;--> statement-breakpoint
ALTER TABLE `host_images` ADD `percent` int;--> statement-breakpoint
ALTER TABLE `host_images` ADD `error` varchar(2000);--> statement-breakpoint
ALTER TABLE `host_images` ADD `updated_at` datetime(3) DEFAULT CURRENT_TIMESTAMP(3) NOT NULL;--> statement-breakpoint
ALTER TABLE `images` ADD `source_format` enum('qcow2','raw','vmdk','vdi','iso','ova') DEFAULT 'qcow2' NOT NULL;--> statement-breakpoint
ALTER TABLE `images` ADD `source_sha256` varchar(64);--> statement-breakpoint
ALTER TABLE `images` ADD `family_id` varchar(36);--> statement-breakpoint
ALTER TABLE `images` ADD `version` int DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `images` ADD `min_disk_gib` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `images` ADD `min_ram_mib` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `images` ADD `deleted_at` datetime(3);--> statement-breakpoint
ALTER TABLE `images` ADD CONSTRAINT `images_family_version_uq` UNIQUE(`family_id`,`version`);--> statement-breakpoint
ALTER TABLE `tasks` ADD CONSTRAINT `tasks_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `tasks` ADD CONSTRAINT `tasks_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `tasks_created_by_idx` ON `tasks` (`created_by`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_created_idx` ON `tasks` (`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_target_idx` ON `tasks` (`target_type`,`target_id`);