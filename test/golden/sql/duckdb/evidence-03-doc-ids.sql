CREATE OR REPLACE TABLE evidence_doc_ids AS
    SELECT doc_id, row_number() OVER ()::INTEGER AS did FROM (SELECT DISTINCT doc_id FROM impressions UNION SELECT doc_id FROM clicks);
