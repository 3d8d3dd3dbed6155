CREATE OR REPLACE TEMPORARY VIEW _ev_serp AS
    WITH u AS (
      SELECT user_key, user_key AS uid
      FROM (SELECT DISTINCT coalesce('user:' || user_id, 'session:' || session_key) AS user_key FROM serp_facts)
    ),
    m AS (SELECT serp_id, max(rank) AS max_rank FROM clicks GROUP BY serp_id)
    SELECT s.serp_id, s.serp_id AS sid, q.qid, u.uid, s.ts, m.max_rank
    FROM serp_facts s
    JOIN evidence_query_ids q USING (query_norm)
    JOIN u ON u.user_key = coalesce('user:' || s.user_id, 'session:' || s.session_key)
    LEFT JOIN m USING (serp_id);
