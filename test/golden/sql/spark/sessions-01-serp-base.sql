CREATE OR REPLACE TEMPORARY VIEW _serp_base AS
    WITH click_last AS (
      SELECT serp_id, max(ts) AS last_click_ts FROM clicks GROUP BY serp_id
    ),
    s AS (
      SELECT s.serp_id, s.session_id, s.user_id, s.ts, s.query, s.session_success,
             greatest(s.ts, coalesce(c.last_click_ts, s.ts)) AS last_activity
      FROM serps s LEFT JOIN click_last c USING (serp_id)
    ),
    g AS (
      SELECT serp_id, user_id, ts,
             CASE WHEN prev_activity IS NULL OR ts - prev_activity > 1800000 THEN 1 ELSE 0 END AS new_sess
      FROM (
        SELECT serp_id, user_id, ts,
               max(last_activity) OVER (PARTITION BY user_id ORDER BY ts, serp_id
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_activity
        FROM s WHERE session_id IS NULL AND user_id IS NOT NULL
      )
    ),
    g2 AS (
      SELECT serp_id,
             'u:' || user_id || ':' || CAST(sum(new_sess) OVER (PARTITION BY user_id ORDER BY ts, serp_id ROWS UNBOUNDED PRECEDING) AS STRING) AS session_key
      FROM g
    )
    SELECT s.serp_id,
           CASE WHEN s.session_id IS NOT NULL THEN 's:' || s.session_id
                WHEN g2.session_key IS NOT NULL THEN g2.session_key
                ELSE 'x:' || s.serp_id END AS session_key,
           CASE WHEN s.session_id IS NOT NULL THEN 'given' WHEN g2.session_key IS NOT NULL THEN 'gap' ELSE 'single' END AS session_source,
           s.session_id, s.user_id, s.ts, s.query, qn.query_norm, s.session_success AS success_given
    FROM s LEFT JOIN g2 USING (serp_id) LEFT JOIN query_norms qn USING (query);
