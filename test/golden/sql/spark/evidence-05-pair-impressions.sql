CREATE OR REPLACE TEMPORARY VIEW evidence_pair_ranks AS
    WITH clicked AS (SELECT DISTINCT serp_id, doc_id FROM clicks),
    shown AS (
      -- impressions, plus clicked (serp, doc, rank) that no impression shows
      SELECT serp_id, doc_id, rank, true AS from_imp FROM impressions
      UNION ALL
      SELECT DISTINCT c.serp_id, c.doc_id, c.rank, false AS from_imp FROM clicks c
      LEFT ANTI JOIN impressions i ON i.serp_id = c.serp_id AND i.doc_id = c.doc_id
    ),
    l AS (
      SELECT s.qid, d.did, s.sid, s.uid, s.ts, (sh.rank < s.max_rank AND k.serp_id IS NULL) AS skip,
             CASE WHEN sh.from_imp AND sh.rank >= 1 THEN sh.rank END AS imp_rank
      FROM shown sh
      JOIN _ev_serp s USING (serp_id)
      JOIN evidence_doc_ids d USING (doc_id)
      LEFT JOIN clicked k ON k.serp_id = sh.serp_id AND k.doc_id = sh.doc_id
    ),
    -- serps and users: one window sorted by (user, page) inside each pair marks the first row of each
    -- (pair, user) and (pair, page) (a page has one user), then one GROUP BY on the pair key.
    lf AS (
      SELECT qid, did, ts, skip, imp_rank,
             lag(uid) OVER w IS DISTINCT FROM uid AS first_user,
             lag(sid) OVER w IS DISTINCT FROM sid AS first_serp
      FROM l WINDOW w AS (PARTITION BY qid, did ORDER BY uid, sid)
    )
    SELECT qid, did, count(*) AS impressions, count(*) FILTER (WHERE first_serp) AS serps,
           count(*) FILTER (WHERE first_user) AS users, min(ts) AS first_ts, max(ts) AS last_ts,
           count(*) FILTER (WHERE skip) AS skip_above,
           collect_list(imp_rank) FILTER (WHERE imp_rank IS NOT NULL) AS imp_ranks
    FROM lf GROUP BY qid, did;
