-- One baseline_naive.verify call for token :i of bench.plain.
\set i random(:first, :last)
SELECT baseline_naive.verify((SELECT p.token FROM bench.plain p WHERE p.i = :i),
	'bench_org', 'bench_loop');
