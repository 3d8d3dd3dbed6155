CREATE OR REPLACE TEMPORARY VIEW evidence_doc_ids AS
    SELECT doc_id, doc_id AS did FROM (SELECT DISTINCT doc_id FROM impressions UNION SELECT doc_id FROM clicks);
