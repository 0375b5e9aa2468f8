ALTER TABLE `host_usage` ADD `disk_gib_used` int DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Below: written by hand (drizzle-kit does not model triggers). The 0006 triggers learn the disk too:
-- a live instance holds its flavor's disk on its host until it is DELETED, like its vCPUs and RAM.
UPDATE `host_usage` u
  SET u.`disk_gib_used` = (SELECT COALESCE(SUM(i.`disk_gib`), 0) FROM `instances` i
                           WHERE i.`host_id` = u.`host_id` AND i.`state` <> 'DELETED');
--> statement-breakpoint
DROP TRIGGER IF EXISTS `host_usage_on_instance_insert`;
--> statement-breakpoint
CREATE TRIGGER `host_usage_on_instance_insert` AFTER INSERT ON `instances` FOR EACH ROW
  UPDATE `host_usage`
  SET `vcpus_used` = `vcpus_used` + NEW.`vcpus`,
      `memory_mib_used` = `memory_mib_used` + NEW.`memory_mib`,
      `disk_gib_used` = `disk_gib_used` + NEW.`disk_gib`,
      `instance_count` = `instance_count` + 1
  WHERE NEW.`host_id` IS NOT NULL AND NEW.`state` <> 'DELETED' AND `host_id` = NEW.`host_id`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `host_usage_on_instance_update`;
--> statement-breakpoint
CREATE TRIGGER `host_usage_on_instance_update` AFTER UPDATE ON `instances` FOR EACH ROW
BEGIN
  IF NOT (OLD.`host_id` <=> NEW.`host_id`)
     OR (OLD.`state` = 'DELETED') <> (NEW.`state` = 'DELETED')
     OR OLD.`vcpus` <> NEW.`vcpus`
     OR OLD.`memory_mib` <> NEW.`memory_mib`
     OR OLD.`disk_gib` <> NEW.`disk_gib` THEN
    UPDATE `host_usage`
    SET `vcpus_used` = `vcpus_used` - OLD.`vcpus`,
        `memory_mib_used` = `memory_mib_used` - OLD.`memory_mib`,
        `disk_gib_used` = `disk_gib_used` - OLD.`disk_gib`,
        `instance_count` = `instance_count` - 1
    WHERE OLD.`host_id` IS NOT NULL AND OLD.`state` <> 'DELETED' AND `host_id` = OLD.`host_id`;
    UPDATE `host_usage`
    SET `vcpus_used` = `vcpus_used` + NEW.`vcpus`,
        `memory_mib_used` = `memory_mib_used` + NEW.`memory_mib`,
        `disk_gib_used` = `disk_gib_used` + NEW.`disk_gib`,
        `instance_count` = `instance_count` + 1
    WHERE NEW.`host_id` IS NOT NULL AND NEW.`state` <> 'DELETED' AND `host_id` = NEW.`host_id`;
  END IF;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `host_usage_on_instance_delete`;
--> statement-breakpoint
CREATE TRIGGER `host_usage_on_instance_delete` AFTER DELETE ON `instances` FOR EACH ROW
  UPDATE `host_usage`
  SET `vcpus_used` = `vcpus_used` - OLD.`vcpus`,
      `memory_mib_used` = `memory_mib_used` - OLD.`memory_mib`,
      `disk_gib_used` = `disk_gib_used` - OLD.`disk_gib`,
      `instance_count` = `instance_count` - 1
  WHERE OLD.`host_id` IS NOT NULL AND OLD.`state` <> 'DELETED' AND `host_id` = OLD.`host_id`;
