-- :count baseline_careful.verify calls in one statement, with no client round trip
-- between them.
SELECT count(baseline_careful.verify(p.token, 'bench_org', 'bench_loop'))
FROM bench.plain p WHERE p.i <= :count;
