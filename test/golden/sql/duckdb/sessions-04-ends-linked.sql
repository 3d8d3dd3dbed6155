CREATE OR REPLACE TEMP TABLE _ends_linked AS
    SELECT e.rowid AS end_row, b.session_key, e.success
    FROM session_ends e
    LEFT JOIN (SELECT DISTINCT session_id, session_key FROM _serp_base WHERE session_id IS NOT NULL) b
      ON e.session_id = b.session_id
    WHERE e.session_id IS NOT NULL
    UNION ALL
    SELECT e.rowid AS end_row, s.session_key, e.success
    FROM (SELECT rowid, * FROM session_ends WHERE session_id IS NULL) e
    ASOF LEFT JOIN (SELECT user_id, ts, session_key FROM _serp_base WHERE user_id IS NOT NULL) s
      ON e.user_id = s.user_id AND e.ts >= s.ts;
