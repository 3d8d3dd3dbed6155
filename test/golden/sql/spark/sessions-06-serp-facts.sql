CREATE OR REPLACE TEMPORARY VIEW serp_facts AS
    SELECT q.serp_id, q.session_key, q.session_source, q.session_id, q.user_id, q.ts, q.query, q.query_norm,
           q.session_seq, q.next_serp_ts, q.next_query_norm,
           (rp.query_norm_from IS NOT NULL AND q.next_serp_ts - q.ts <= 300000) AS reformulated,
           ss.success AS session_success
    FROM _serp_seq q
    LEFT JOIN reformulation_pairs rp ON rp.query_norm_from = q.query_norm AND rp.query_norm_to = q.next_query_norm
    LEFT JOIN _session_success ss USING (session_key)
    ORDER BY q.session_key, q.session_seq;
