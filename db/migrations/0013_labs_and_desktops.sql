CREATE TABLE `desktop_messages` (
	`id` int AUTO_INCREMENT NOT NULL,
	`instance_id` varchar(36) NOT NULL,
	`from_user_id` int,
	`text` varchar(500) NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`seen_at` datetime(3),
	CONSTRAINT `desktop_messages_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `lab_lessons` (
	`id` int AUTO_INCREMENT NOT NULL,
	`lab_id` int NOT NULL,
	`weekday` int NOT NULL,
	`start_minute` int NOT NULL,
	`end_minute` int NOT NULL,
	`warm_minutes` int NOT NULL DEFAULT 10,
	CONSTRAINT `lab_lessons_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `lab_profiles` (
	`lab_id` int NOT NULL,
	`profile_id` int NOT NULL,
	CONSTRAINT `lab_profiles_lab_id_profile_id_pk` PRIMARY KEY(`lab_id`,`profile_id`)
);
--> statement-breakpoint
CREATE TABLE `labs` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`description` varchar(500) NOT NULL DEFAULT '',
	`group_id` int,
	`seats` int NOT NULL,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `labs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `pools` (
	`id` int AUTO_INCREMENT NOT NULL,
	`lab_id` int NOT NULL,
	`profile_id` int NOT NULL,
	`size` int NOT NULL,
	`spare` int NOT NULL,
	`idle_size` int NOT NULL DEFAULT 0,
	`state` enum('stopped','running') NOT NULL DEFAULT 'stopped',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `pools_id` PRIMARY KEY(`id`),
	CONSTRAINT `pools_lab_profile_uq` UNIQUE(`lab_id`,`profile_id`)
);
--> statement-breakpoint
CREATE TABLE `profile_versions` (
	`profile_id` int NOT NULL,
	`version` int NOT NULL,
	`image_id` varchar(36) NOT NULL,
	`note` varchar(500) NOT NULL DEFAULT '',
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `profile_versions_profile_id_version_pk` PRIMARY KEY(`profile_id`,`version`)
);
--> statement-breakpoint
CREATE TABLE `profiles` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`description` varchar(500) NOT NULL DEFAULT '',
	`group_id` int,
	`owner_id` int,
	`flavor_id` int NOT NULL,
	`network_id` varchar(36),
	`console_kinds` json NOT NULL,
	`keyboard_layout` enum('en-us','en-gb','de','fr','es','it','ja','pt','ru','sv') NOT NULL DEFAULT 'en-us',
	`throwaway` boolean NOT NULL DEFAULT true,
	`firmware` enum('bios','uefi') NOT NULL DEFAULT 'bios',
	`disk_bus` enum('virtio','sata') NOT NULL DEFAULT 'virtio',
	`nic_model` enum('virtio','e1000') NOT NULL DEFAULT 'virtio',
	`usb_tablet` boolean NOT NULL DEFAULT true,
	`current_version` int NOT NULL DEFAULT 1,
	`admin_instance_id` varchar(36),
	`cloned_from_id` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `profiles_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `instances` ADD `kind` enum('server','desktop','admin') DEFAULT 'server' NOT NULL;--> statement-breakpoint
ALTER TABLE `instances` ADD `throwaway` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `instances` ADD `hardware` json;--> statement-breakpoint
ALTER TABLE `instances` ADD `profile_id` int;--> statement-breakpoint
ALTER TABLE `instances` ADD `profile_version` int;--> statement-breakpoint
ALTER TABLE `instances` ADD `pool_id` int;--> statement-breakpoint
ALTER TABLE `instances` ADD `assigned_to` int;--> statement-breakpoint
ALTER TABLE `instances` ADD `assigned_at` datetime(3);--> statement-breakpoint
ALTER TABLE `desktop_messages` ADD CONSTRAINT `desktop_messages_instance_id_instances_id_fk` FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `desktop_messages` ADD CONSTRAINT `desktop_messages_from_user_id_users_id_fk` FOREIGN KEY (`from_user_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `lab_lessons` ADD CONSTRAINT `lab_lessons_lab_id_labs_id_fk` FOREIGN KEY (`lab_id`) REFERENCES `labs`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `lab_profiles` ADD CONSTRAINT `lab_profiles_lab_id_labs_id_fk` FOREIGN KEY (`lab_id`) REFERENCES `labs`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `lab_profiles` ADD CONSTRAINT `lab_profiles_profile_id_profiles_id_fk` FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `labs` ADD CONSTRAINT `labs_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `pools` ADD CONSTRAINT `pools_lab_id_labs_id_fk` FOREIGN KEY (`lab_id`) REFERENCES `labs`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `pools` ADD CONSTRAINT `pools_profile_id_profiles_id_fk` FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profile_versions` ADD CONSTRAINT `profile_versions_profile_id_profiles_id_fk` FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profile_versions` ADD CONSTRAINT `profile_versions_image_id_images_id_fk` FOREIGN KEY (`image_id`) REFERENCES `images`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profile_versions` ADD CONSTRAINT `profile_versions_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profiles` ADD CONSTRAINT `profiles_group_id_user_groups_id_fk` FOREIGN KEY (`group_id`) REFERENCES `user_groups`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profiles` ADD CONSTRAINT `profiles_owner_id_users_id_fk` FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profiles` ADD CONSTRAINT `profiles_flavor_id_flavors_id_fk` FOREIGN KEY (`flavor_id`) REFERENCES `flavors`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profiles` ADD CONSTRAINT `profiles_network_id_networks_id_fk` FOREIGN KEY (`network_id`) REFERENCES `networks`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `desktop_messages_instance_idx` ON `desktop_messages` (`instance_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `lab_lessons_lab_idx` ON `lab_lessons` (`lab_id`);--> statement-breakpoint
CREATE INDEX `labs_group_idx` ON `labs` (`group_id`);--> statement-breakpoint
CREATE INDEX `profiles_group_idx` ON `profiles` (`group_id`);--> statement-breakpoint
ALTER TABLE `instances` ADD CONSTRAINT `instances_assigned_to_users_id_fk` FOREIGN KEY (`assigned_to`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `instances_pool_idx` ON `instances` (`pool_id`,`assigned_to`);--> statement-breakpoint
CREATE INDEX `instances_assigned_idx` ON `instances` (`assigned_to`);