-- One baseline_careful.verify call for token :i of bench.plain.
\set i random(:first, :last)
SELECT baseline_careful.verify((SELECT p.token FROM bench.plain p WHERE p.i = :i),
	'bench_org', 'bench_loop');
