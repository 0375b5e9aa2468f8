CREATE TABLE `flavors` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`vcpus` int NOT NULL,
	`memory_mib` int NOT NULL,
	`disk_gib` int NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `flavors_id` PRIMARY KEY(`id`),
	CONSTRAINT `flavors_name_uq` UNIQUE(`name`)
);
--> statement-breakpoint
CREATE TABLE `host_images` (
	`host_id` varchar(36) NOT NULL,
	`sha256` varchar(64) NOT NULL,
	`cached_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `host_images_host_id_sha256_pk` PRIMARY KEY(`host_id`,`sha256`)
);
--> statement-breakpoint
CREATE TABLE `host_join_tokens` (
	`id` int AUTO_INCREMENT NOT NULL,
	`token_hash` varchar(64) NOT NULL,
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`expires_at` datetime(3) NOT NULL,
	`used_at` datetime(3),
	`host_id` varchar(36),
	CONSTRAINT `host_join_tokens_id` PRIMARY KEY(`id`),
	CONSTRAINT `host_join_tokens_hash_uq` UNIQUE(`token_hash`)
);
--> statement-breakpoint
CREATE TABLE `hosts` (
	`id` varchar(36) NOT NULL,
	`name` varchar(64) NOT NULL,
	`secret_hash` varchar(64) NOT NULL,
	`enabled` boolean NOT NULL DEFAULT true,
	`cpu_count` int NOT NULL,
	`memory_mib` int NOT NULL,
	`disk_free_bytes` bigint NOT NULL DEFAULT 0,
	`kvm_usable` boolean NOT NULL DEFAULT false,
	`facts` json NOT NULL,
	`joined_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_heartbeat_at` datetime(3),
	CONSTRAINT `hosts_id` PRIMARY KEY(`id`),
	CONSTRAINT `hosts_name_uq` UNIQUE(`name`)
);
--> statement-breakpoint
CREATE TABLE `images` (
	`id` varchar(36) NOT NULL,
	`name` varchar(128) NOT NULL,
	`sha256` varchar(64) NOT NULL,
	`format` enum('qcow2','raw') NOT NULL,
	`size_bytes` bigint NOT NULL,
	`virtual_size_bytes` bigint NOT NULL,
	`visibility` enum('public','group','private') NOT NULL DEFAULT 'public',
	`owner_id` int,
	`group_id` int,
	`os_type` varchar(64) NOT NULL DEFAULT 'linux',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `images_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `instance_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`instance_id` varchar(36) NOT NULL,
	`at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`kind` enum('action','state','progress','error','info') NOT NULL,
	`message` varchar(2000) NOT NULL,
	`from_state` enum('PENDING','SCHEDULED','BUILDING','RUNNING','STOPPING','STOPPED','DELETING','DELETED','ERROR'),
	`to_state` enum('PENDING','SCHEDULED','BUILDING','RUNNING','STOPPING','STOPPED','DELETING','DELETED','ERROR'),
	`actor_id` int,
	CONSTRAINT `instance_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `instances` (
	`id` varchar(36) NOT NULL,
	`name` varchar(64) NOT NULL,
	`owner_id` int NOT NULL,
	`group_id` int,
	`flavor_id` int NOT NULL,
	`image_id` varchar(36) NOT NULL,
	`vcpus` int NOT NULL,
	`memory_mib` int NOT NULL,
	`disk_gib` int NOT NULL,
	`host_id` varchar(36),
	`state` enum('PENDING','SCHEDULED','BUILDING','RUNNING','STOPPING','STOPPED','DELETING','DELETED','ERROR') NOT NULL DEFAULT 'PENDING',
	`task` varchar(32),
	`progress` int,
	`error_reason` varchar(2000),
	`accel` enum('kvm','tcg','none'),
	`op_seq` int NOT NULL DEFAULT 0,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`deleted_at` datetime(3),
	CONSTRAINT `instances_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `host_images` ADD CONSTRAINT `host_images_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `host_join_tokens` ADD CONSTRAINT `host_join_tokens_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `images` ADD CONSTRAINT `images_owner_id_users_id_fk` FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `images` ADD CONSTRAINT `images_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instance_events` ADD CONSTRAINT `instance_events_instance_id_instances_id_fk` FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instances` ADD CONSTRAINT `instances_owner_id_users_id_fk` FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instances` ADD CONSTRAINT `instances_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instances` ADD CONSTRAINT `instances_flavor_id_flavors_id_fk` FOREIGN KEY (`flavor_id`) REFERENCES `flavors`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instances` ADD CONSTRAINT `instances_image_id_images_id_fk` FOREIGN KEY (`image_id`) REFERENCES `images`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `instances` ADD CONSTRAINT `instances_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `images_sha_idx` ON `images` (`sha256`);--> statement-breakpoint
CREATE INDEX `instance_events_idx` ON `instance_events` (`instance_id`,`id`);--> statement-breakpoint
CREATE INDEX `instances_owner_idx` ON `instances` (`owner_id`,`state`);--> statement-breakpoint
CREATE INDEX `instances_host_idx` ON `instances` (`host_id`,`state`);--> statement-breakpoint
CREATE INDEX `instances_group_idx` ON `instances` (`group_id`);