-- :count probes of loop_tokens.tokens by a precomputed hash in one
-- statement: the in-server floor.
SELECT count((SELECT t.token_id FROM loop_tokens.tokens t WHERE t.hash = p.lt_hash))
FROM bench.plain p WHERE p.i <= :count;
