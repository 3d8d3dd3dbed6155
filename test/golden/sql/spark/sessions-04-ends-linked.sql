CREATE OR REPLACE TEMPORARY VIEW _ends_linked AS
    SELECT e.row_id AS end_row, b.session_key, e.success
    FROM session_ends e
    LEFT JOIN (SELECT DISTINCT session_id, session_key FROM _serp_base WHERE session_id IS NOT NULL) b
      ON e.session_id = b.session_id
    WHERE e.session_id IS NOT NULL
    UNION ALL
    SELECT end_row, session_key, success FROM (
      SELECT e.row_id AS end_row, s.session_key, e.success,
             row_number() OVER (PARTITION BY e.row_id ORDER BY s.ts DESC NULLS LAST) AS _asof
      FROM (SELECT * FROM session_ends WHERE session_id IS NULL) e
      LEFT JOIN (SELECT user_id, ts, session_key FROM _serp_base WHERE user_id IS NOT NULL) s
        ON e.user_id = s.user_id AND e.ts >= s.ts
    ) WHERE _asof = 1;
