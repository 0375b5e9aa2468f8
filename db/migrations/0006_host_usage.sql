CREATE TABLE `host_usage` (
	`host_id` varchar(36) NOT NULL,
	`vcpus_used` int NOT NULL DEFAULT 0,
	`memory_mib_used` int NOT NULL DEFAULT 0,
	`instance_count` int NOT NULL DEFAULT 0,
	CONSTRAINT `host_usage_host_id` PRIMARY KEY(`host_id`)
);
--> statement-breakpoint
ALTER TABLE `host_usage` ADD CONSTRAINT `host_usage_host_id_hosts_id_fk` FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `host_images_sha_idx` ON `host_images` (`sha256`);--> statement-breakpoint
-- Below: written by hand (drizzle-kit does not model triggers). Each host gets its usage row when it joins;
-- existing hosts get theirs from what their live instances hold now.
CREATE TRIGGER `host_usage_on_host_insert` AFTER INSERT ON `hosts` FOR EACH ROW
  INSERT INTO `host_usage` (`host_id`) VALUES (NEW.`id`);
--> statement-breakpoint
INSERT INTO `host_usage` (`host_id`, `vcpus_used`, `memory_mib_used`, `instance_count`)
  SELECT h.`id`, COALESCE(SUM(i.`vcpus`), 0), COALESCE(SUM(i.`memory_mib`), 0), COUNT(i.`id`)
  FROM `hosts` h LEFT JOIN `instances` i ON i.`host_id` = h.`id` AND i.`state` <> 'DELETED'
  GROUP BY h.`id`;
--> statement-breakpoint
-- An instance holds its host's capacity from the moment it is placed until it is DELETED (stopped ones too).
CREATE TRIGGER `host_usage_on_instance_insert` AFTER INSERT ON `instances` FOR EACH ROW
  UPDATE `host_usage`
  SET `vcpus_used` = `vcpus_used` + NEW.`vcpus`,
      `memory_mib_used` = `memory_mib_used` + NEW.`memory_mib`,
      `instance_count` = `instance_count` + 1
  WHERE NEW.`host_id` IS NOT NULL AND NEW.`state` <> 'DELETED' AND `host_id` = NEW.`host_id`;
--> statement-breakpoint
-- Progress, viewers and other updates leave the usage row alone (no lock on it): only a change of host,
-- size, or into/out of DELETED moves capacity.
CREATE TRIGGER `host_usage_on_instance_update` AFTER UPDATE ON `instances` FOR EACH ROW
BEGIN
  IF NOT (OLD.`host_id` <=> NEW.`host_id`)
     OR (OLD.`state` = 'DELETED') <> (NEW.`state` = 'DELETED')
     OR OLD.`vcpus` <> NEW.`vcpus`
     OR OLD.`memory_mib` <> NEW.`memory_mib` THEN
    UPDATE `host_usage`
    SET `vcpus_used` = `vcpus_used` - OLD.`vcpus`,
        `memory_mib_used` = `memory_mib_used` - OLD.`memory_mib`,
        `instance_count` = `instance_count` - 1
    WHERE OLD.`host_id` IS NOT NULL AND OLD.`state` <> 'DELETED' AND `host_id` = OLD.`host_id`;
    UPDATE `host_usage`
    SET `vcpus_used` = `vcpus_used` + NEW.`vcpus`,
        `memory_mib_used` = `memory_mib_used` + NEW.`memory_mib`,
        `instance_count` = `instance_count` + 1
    WHERE NEW.`host_id` IS NOT NULL AND NEW.`state` <> 'DELETED' AND `host_id` = NEW.`host_id`;
  END IF;
END;
--> statement-breakpoint
CREATE TRIGGER `host_usage_on_instance_delete` AFTER DELETE ON `instances` FOR EACH ROW
  UPDATE `host_usage`
  SET `vcpus_used` = `vcpus_used` - OLD.`vcpus`,
      `memory_mib_used` = `memory_mib_used` - OLD.`memory_mib`,
      `instance_count` = `instance_count` - 1
  WHERE OLD.`host_id` IS NOT NULL AND OLD.`state` <> 'DELETED' AND `host_id` = OLD.`host_id`;
