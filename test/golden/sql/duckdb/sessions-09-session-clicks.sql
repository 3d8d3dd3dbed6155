CREATE OR REPLACE TABLE session_clicks AS
    WITH k AS (
      SELECT c.click_id, c.serp_id, s.session_key, s.user_id, c.doc_id, c.rank, c.ts, c.dwell_ms,
             s.reformulated, s.next_serp_ts, s.session_success
      FROM clicks c JOIN serp_facts s USING (serp_id)
    ),
    ev AS (
      SELECT session_key, ts, 0 AS kind, serp_id, NULL::BIGINT AS click_id FROM serp_facts
      UNION ALL
      SELECT session_key, ts, 1 AS kind, serp_id, click_id FROM k WHERE ts IS NOT NULL
    ),
    nx AS (
      SELECT click_id, next_event_ts FROM (
        SELECT click_id, kind, lead(ts) OVER (PARTITION BY session_key ORDER BY ts, kind, serp_id, click_id) AS next_event_ts
        FROM ev
      ) WHERE kind = 1
    ),
    same AS (
      SELECT click_id, lead(ts) OVER (PARTITION BY serp_id ORDER BY ts, click_id) AS next_same_serp_ts
      FROM k WHERE ts IS NOT NULL
    )
    SELECT k.click_id, k.serp_id, k.session_key, k.user_id, k.doc_id, k.rank, k.ts,
           CASE WHEN k.dwell_ms IS NOT NULL THEN k.dwell_ms
                WHEN nx.next_event_ts IS NOT NULL THEN least(nx.next_event_ts - k.ts, 1800000)
                ELSE NULL END AS dwell_ms,
           CASE WHEN k.dwell_ms IS NOT NULL THEN 'given'
                WHEN nx.next_event_ts IS NOT NULL THEN 'derived'
                ELSE 'unknown' END AS dwell_source,
           (k.dwell_ms IS NULL AND nx.next_event_ts - k.ts > 1800000) AS dwell_capped,
           nx.next_event_ts, same.next_same_serp_ts,
           coalesce(same.next_same_serp_ts - k.ts <= 20000, false)
             OR coalesce(k.reformulated AND k.next_serp_ts >= k.ts AND k.next_serp_ts - k.ts <= 20000, false) AS pogo_return,
           row_number() OVER (PARTITION BY k.session_key ORDER BY k.ts DESC NULLS LAST, k.click_id DESC) = 1 AS is_last_click,
           k.session_success
    FROM k LEFT JOIN nx USING (click_id) LEFT JOIN same USING (click_id)
    ORDER BY k.click_id;
