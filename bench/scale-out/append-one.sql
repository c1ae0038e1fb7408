-- pgbench custom script: the reference for the scale-out benchmark's throughput rows.
-- The statement is APPEND_BATCH of apps/api/src/storage/sql-message-store.ts, unchanged except
-- that its six parameters are one-element arrays built from pgbench variables: one message per
-- transaction (the api sends the same statement with a whole batch of one room in the arrays).
--   $1 room         'pgb-<rooms>-<r>', r uniform in 1..:rooms (-D rooms=1: one hot room)
--   $2 client_id    a random 62-bit number, so (user_id, client_id) is new every time
--   $3 user_id      'pgb-<pgbench client id>'
--   $4 user_name    'pgbench'
--   $5 body         48 characters, the size of the api load generator's texts
--   $6 ts           a fixed ISO time, as the api writes it
-- Run by bench/scale-out/run.mjs as: pgbench -n -M prepared -c C -j J -T 10 -D rooms=R -f append-one.sql URL
\set r random(1, :rooms)
\set c random(1, 4611686018427387903)
WITH input AS (
  SELECT * FROM unnest(ARRAY[(:c)::text], ARRAY['pgb-' || (:client_id)::text], ARRAY['pgbench'::text], ARRAY['load 0000000 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'::text], ARRAY['2026-12-02T00:00:00.000Z'::text])
    WITH ORDINALITY AS t(client_id, user_id, user_name, body, ts, ord)
),
known AS (
  SELECT m.client_id, m.user_id, m.seq, m.user_name, m.body, m.ts
  FROM chat_messages m
  WHERE m.room = ('pgb-' || (:rooms)::text || '-' || (:r)::text) AND (m.user_id, m.client_id) IN (SELECT user_id, client_id FROM input)
),
fresh AS (
  SELECT DISTINCT ON (i.user_id, i.client_id) i.*
  FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.user_id = i.user_id AND k.client_id = i.client_id)
  ORDER BY i.user_id, i.client_id, i.ord
),
numbered AS (
  SELECT f.*, row_number() OVER (ORDER BY f.ord) AS position, count(*) OVER () AS total FROM fresh f
),
bump AS (
  INSERT INTO chat_rooms (room, last_seq)
  SELECT ('pgb-' || (:rooms)::text || '-' || (:r)::text), count(*) FROM fresh HAVING count(*) > 0
  ON CONFLICT (room) DO UPDATE SET last_seq = chat_rooms.last_seq + excluded.last_seq
  RETURNING last_seq
),
inserted AS (
  INSERT INTO chat_messages (room, seq, client_id, user_id, user_name, body, ts)
  SELECT ('pgb-' || (:rooms)::text || '-' || (:r)::text), (b.last_seq - n.total + n.position)::integer, n.client_id, n.user_id, n.user_name, n.body, n.ts
  FROM numbered n CROSS JOIN bump b
  RETURNING client_id, user_id, seq, user_name, body, ts
)
SELECT client_id, user_id, seq, user_name, body, ts, 'text' AS kind, true AS fresh FROM inserted
UNION ALL
SELECT client_id, user_id, seq, user_name, body, ts, 'text' AS kind, false AS fresh FROM known;
