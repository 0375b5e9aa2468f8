CREATE TABLE `ip_addresses` (
	`id` int AUTO_INCREMENT NOT NULL,
	`network_id` varchar(36) NOT NULL,
	`addr` int unsigned NOT NULL,
	`ip` varchar(15) NOT NULL,
	`mac` varchar(17) NOT NULL,
	`kind` enum('instance','infrastructure') NOT NULL,
	`instance_id` varchar(36),
	`nic_index` int,
	`tap` varchar(15),
	`subnet_id` int,
	`owner_id` int,
	`label` varchar(128),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `ip_addresses_id` PRIMARY KEY(`id`),
	CONSTRAINT `ip_addresses_addr_uq` UNIQUE(`network_id`,`addr`),
	CONSTRAINT `ip_addresses_mac_uq` UNIQUE(`mac`),
	CONSTRAINT `ip_addresses_tap_uq` UNIQUE(`tap`),
	CONSTRAINT `ip_addresses_nic_uq` UNIQUE(`instance_id`,`nic_index`)
);
--> statement-breakpoint
CREATE TABLE `ip_subnets` (
	`id` int AUTO_INCREMENT NOT NULL,
	`network_id` varchar(36) NOT NULL,
	`owner` varchar(128) NOT NULL,
	`size` int NOT NULL,
	`first_addr` int unsigned NOT NULL,
	`state` enum('reserved','confirmed','expired') NOT NULL DEFAULT 'reserved',
	`expires_at` datetime(3),
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`confirmed_at` datetime(3),
	CONSTRAINT `ip_subnets_id` PRIMARY KEY(`id`),
	CONSTRAINT `ip_subnets_owner_uq` UNIQUE(`network_id`,`owner`)
);
--> statement-breakpoint
CREATE TABLE `named_locks` (
	`name` varchar(64) NOT NULL,
	CONSTRAINT `named_locks_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `network_host_states` (
	`network_id` varchar(36) NOT NULL,
	`host_id` varchar(36) NOT NULL,
	`state` enum('applied','error') NOT NULL,
	`revision` int,
	`reason` varchar(2000),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `network_host_states_network_id_host_id_pk` PRIMARY KEY(`network_id`,`host_id`)
);
--> statement-breakpoint
CREATE TABLE `network_hosts` (
	`network_id` varchar(36) NOT NULL,
	`host_id` varchar(36) NOT NULL,
	CONSTRAINT `network_hosts_network_id_host_id_pk` PRIMARY KEY(`network_id`,`host_id`)
);
--> statement-breakpoint
CREATE TABLE `networks` (
	`id` varchar(36) NOT NULL,
	`name` varchar(64) NOT NULL,
	`cidr` varchar(18) NOT NULL,
	`first_addr` int unsigned NOT NULL,
	`last_addr` int unsigned NOT NULL,
	`prefix_length` int NOT NULL,
	`gateway` varchar(15) NOT NULL,
	`dns_servers` json NOT NULL,
	`vlan_id` int,
	`uplink` varchar(15),
	`kind` enum('tenant','infrastructure') NOT NULL DEFAULT 'tenant',
	`nat` boolean NOT NULL DEFAULT true,
	`all_hosts` boolean NOT NULL DEFAULT true,
	`bridge` varchar(15) NOT NULL,
	`revision` int NOT NULL DEFAULT 0,
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `networks_id` PRIMARY KEY(`id`),
	CONSTRAINT `networks_name_uq` UNIQUE(`name`),
	CONSTRAINT `networks_bridge_uq` UNIQUE(`bridge`)
);
--> statement-breakpoint
CREATE TABLE `port_forwards` (
	`id` int AUTO_INCREMENT NOT NULL,
	`instance_id` varchar(36) NOT NULL,
	`address_id` int NOT NULL,
	`host_id` varchar(36) NOT NULL,
	`protocol` enum('tcp','udp') NOT NULL,
	`host_port` int NOT NULL,
	`guest_port` int NOT NULL,
	`created_by` int,
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `port_forwards_id` PRIMARY KEY(`id`),
	CONSTRAINT `port_forwards_host_port_uq` UNIQUE(`host_id`,`protocol`,`host_port`)
);
--> statement-breakpoint
ALTER TABLE `ip_addresses` ADD CONSTRAINT `ip_addresses_network_id_networks_id_fk` FOREIGN KEY (`network_id`) REFERENCES `networks`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `ip_addresses` ADD CONSTRAINT `ip_addresses_instance_id_instances_id_fk` FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `ip_addresses` ADD CONSTRAINT `ip_addresses_subnet_id_ip_subnets_id_fk` FOREIGN KEY (`subnet_id`) REFERENCES `ip_subnets`(`id`) ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `ip_addresses` ADD CONSTRAINT `ip_addresses_owner_id_users_id_fk` FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `ip_subnets` ADD CONSTRAINT `ip_subnets_network_id_networks_id_fk` FOREIGN KEY (`network_id`) REFERENCES `networks`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `ip_subnets` ADD CONSTRAINT `ip_subnets_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `network_host_states` ADD CONSTRAINT `network_host_states_network_id_networks_id_fk` FOREIGN KEY (`network_id`) REFERENCES `networks`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `network_host_states` ADD CONSTRAINT `network_host_states_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `network_hosts` ADD CONSTRAINT `network_hosts_network_id_networks_id_fk` FOREIGN KEY (`network_id`) REFERENCES `networks`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `network_hosts` ADD CONSTRAINT `network_hosts_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `networks` ADD CONSTRAINT `networks_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `port_forwards` ADD CONSTRAINT `port_forwards_instance_id_instances_id_fk` FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `port_forwards` ADD CONSTRAINT `port_forwards_address_id_ip_addresses_id_fk` FOREIGN KEY (`address_id`) REFERENCES `ip_addresses`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `port_forwards` ADD CONSTRAINT `port_forwards_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `port_forwards` ADD CONSTRAINT `port_forwards_created_by_users_id_fk` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `ip_addresses_subnet_idx` ON `ip_addresses` (`subnet_id`);--> statement-breakpoint
CREATE INDEX `ip_subnets_expiry_idx` ON `ip_subnets` (`state`,`expires_at`);--> statement-breakpoint
CREATE INDEX `port_forwards_instance_idx` ON `port_forwards` (`instance_id`);--> statement-breakpoint
INSERT INTO `named_locks` (`name`) VALUES ('networks');
