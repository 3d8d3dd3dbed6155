CREATE OR REPLACE TEMPORARY VIEW _session_success AS
    SELECT session_key, bool_or(success) AS success FROM (
      SELECT session_key, success_given AS success FROM _serp_base WHERE success_given IS NOT NULL
      UNION ALL
      SELECT session_key, success FROM _ends_linked WHERE session_key IS NOT NULL AND success IS NOT NULL
    ) GROUP BY session_key;
