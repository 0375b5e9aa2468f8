CREATE TABLE `profile_publications` (
	`task_id` varchar(36) NOT NULL,
	`profile_id` int NOT NULL,
	`instance_id` varchar(36) NOT NULL,
	`base_image_id` varchar(36) NOT NULL,
	`note` varchar(500) NOT NULL,
	`created_by` int,
	`version` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `profile_publications_task_id` PRIMARY KEY(`task_id`)
);
--> statement-breakpoint
ALTER TABLE `profile_publications` ADD CONSTRAINT `profile_publications_task_id_tasks_id_fk` FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profile_publications` ADD CONSTRAINT `profile_publications_profile_id_profiles_id_fk` FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profile_publications` ADD CONSTRAINT `profile_publications_base_image_id_images_id_fk` FOREIGN KEY (`base_image_id`) REFERENCES `images`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `profile_publications` ADD CONSTRAINT `profile_publications_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;