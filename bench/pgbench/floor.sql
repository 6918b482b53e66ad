-- The floor: fetch the input row as every other script does, then one probe
-- of loop_tokens.tokens by its unique hash index with a precomputed hash.
\set i random(:first, :last)
SELECT t.token_id FROM loop_tokens.tokens t
WHERE t.hash = (SELECT p.lt_hash FROM bench.plain p WHERE p.i = :i);
