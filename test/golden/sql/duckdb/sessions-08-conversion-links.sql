CREATE OR REPLACE TABLE conversion_links AS
    WITH c AS (SELECT rowid AS conv_row, * FROM conversions),
    clicked AS (SELECT DISTINCT serp_id, doc_id FROM clicks),
    cand AS (
      SELECT c.conv_row, s.serp_id, s.ts, s.session_key
      FROM c JOIN serp_facts s ON s.session_id = c.session_id
      WHERE c.serp_id IS NULL AND c.session_id IS NOT NULL
      UNION ALL
      SELECT c.conv_row, s.serp_id, s.ts, s.session_key
      FROM c JOIN serp_facts s ON s.user_id = c.user_id
      WHERE c.serp_id IS NULL AND c.session_id IS NULL AND c.user_id IS NOT NULL
    ),
    best AS (
      SELECT cand.conv_row, cand.serp_id, cand.session_key
      FROM cand
      JOIN c USING (conv_row)
      JOIN impressions i ON i.serp_id = cand.serp_id AND i.doc_id = c.doc_id
      LEFT JOIN clicked k ON k.serp_id = cand.serp_id AND k.doc_id = c.doc_id
      WHERE c.ts IS NULL OR (cand.ts <= c.ts AND c.ts - cand.ts <= 86400000)
      QUALIFY row_number() OVER (PARTITION BY cand.conv_row
                                 ORDER BY (k.serp_id IS NOT NULL) DESC, cand.ts DESC, cand.serp_id DESC) = 1
    )
    SELECT c.conv_row, c.doc_id, c.ts, c.kind, c.value,
           coalesce(c.serp_id, b.serp_id) AS serp_id,
           coalesce(sg.session_key, b.session_key) AS session_key,
           CASE WHEN c.serp_id IS NOT NULL THEN 'given' WHEN b.serp_id IS NOT NULL THEN 'linked' ELSE 'unlinked' END AS link
    FROM c
    LEFT JOIN best b USING (conv_row)
    LEFT JOIN serp_facts sg ON sg.serp_id = c.serp_id
    ORDER BY c.conv_row;
