CREATE TABLE `clusters` (
	`id` int AUTO_INCREMENT NOT NULL,
	`name` varchar(64) NOT NULL,
	`kind` enum('servers','desktops','local') NOT NULL,
	`description` varchar(300) NOT NULL DEFAULT '',
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `clusters_id` PRIMARY KEY(`id`),
	CONSTRAINT `clusters_name_uq` UNIQUE(`name`)
);
--> statement-breakpoint
ALTER TABLE `host_join_tokens` ADD `cluster_id` int;--> statement-breakpoint
ALTER TABLE `hosts` ADD `cluster_id` int;--> statement-breakpoint
ALTER TABLE `host_join_tokens` ADD CONSTRAINT `host_join_tokens_cluster_id_clusters_id_fk` FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `hosts` ADD CONSTRAINT `hosts_cluster_id_clusters_id_fk` FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON DELETE no action ON UPDATE no action;