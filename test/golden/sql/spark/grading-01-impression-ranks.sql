CREATE OR REPLACE TEMPORARY VIEW _gr_imp AS
    WITH ex AS (SELECT * FROM VALUES (1, 1), (2, 0.5), (3, 0.3333), (4, 0.25), (5, 0.2), (6, 0.1667), (7, 0.1429), (8, 0.125), (9, 0.1111), (10, 0.1) AS t(rank, p))
    SELECT qid, did, aggregate(imp_ranks, CAST(0 AS DECIMAL(38, 4)), (acc, r) -> CAST(acc + element_at(pl, least(r, 10)) AS DECIMAL(38, 4))) AS exp_exam
    FROM evidence_pair_ranks, (SELECT transform(array_sort(collect_list(struct(rank AS k, p AS v))), x -> x.v) AS pl FROM ex);
