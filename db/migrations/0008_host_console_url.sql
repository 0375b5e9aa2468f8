ALTER TABLE `hosts` ADD `console_url` varchar(300);--> statement-breakpoint
-- Below: written by hand. Hosts that joined before the address was pinned keep the one they reported
-- last; one that is not ws(s)://host:port is not kept (an admin sets it in Hosts). From now on facts
-- carry no console address.
UPDATE `hosts` SET `console_url` = JSON_UNQUOTE(JSON_EXTRACT(`facts`, '$.consoleUrl'))
  WHERE JSON_EXTRACT(`facts`, '$.consoleUrl') IS NOT NULL;
--> statement-breakpoint
UPDATE `hosts` SET `console_url` = NULL
  WHERE `console_url` IS NOT NULL AND `console_url` NOT REGEXP '^wss?://[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}$';
--> statement-breakpoint
UPDATE `hosts` SET `facts` = JSON_REMOVE(`facts`, '$.consoleUrl')
  WHERE JSON_EXTRACT(`facts`, '$.consoleUrl') IS NOT NULL;
