CREATE TABLE `terminals` (
	`id` varchar(36) NOT NULL,
	`mac` varchar(17) NOT NULL,
	`name` varchar(64) NOT NULL,
	`secret_salt` varchar(64) NOT NULL,
	`state` enum('pending','approved','revoked') NOT NULL DEFAULT 'pending',
	`lab_id` int,
	`seat_instance_id` varchar(36),
	`keyboard_layout` enum('en-us','en-gb','de','fr','es','it','ja','pt','ru','sv'),
	`last_contact_at` datetime(3),
	`last_ip` varchar(45),
	`signed_in_user_id` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`approved_by` int,
	`approved_at` datetime(3),
	CONSTRAINT `terminals_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `terminals` ADD CONSTRAINT `terminals_lab_id_labs_id_fk` FOREIGN KEY (`lab_id`) REFERENCES `labs`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `terminals` ADD CONSTRAINT `terminals_seat_instance_id_instances_id_fk` FOREIGN KEY (`seat_instance_id`) REFERENCES `instances`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `terminals` ADD CONSTRAINT `terminals_signed_in_user_id_users_id_fk` FOREIGN KEY (`signed_in_user_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `terminals` ADD CONSTRAINT `terminals_approved_by_users_id_fk` FOREIGN KEY (`approved_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `terminals_lab_idx` ON `terminals` (`lab_id`);--> statement-breakpoint
CREATE INDEX `terminals_mac_idx` ON `terminals` (`mac`);