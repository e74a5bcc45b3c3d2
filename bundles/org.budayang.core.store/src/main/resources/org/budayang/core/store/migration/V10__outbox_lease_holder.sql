-- Who holds an outbox message's lease (core.notify): the node (its stable id: node.id in
-- etc/org.budayang.node.cfg, or data/budayang/node.id) and the run of that node (one JVM process). A node
-- that starts again takes back at once what its previous run was sending, instead of waiting out
-- the lease; another node's lease is still waited out. NULL on rows claimed before this migration
-- (their lease is waited out, as before).
ALTER TABLE sms_outbox ADD COLUMN lease_node VARCHAR(64);
ALTER TABLE sms_outbox ADD COLUMN lease_run VARCHAR(64);
