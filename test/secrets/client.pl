#!/usr/bin/perl
# Run mint, verify, trigger and revoke through DBD::Pg with server-side
# prepared statements, so every token travels as a bind parameter.  Prints
# one line per token it handled ("token NAME VALUE") for the search in run,
# and one line per check ("ok NAME" or "not ok NAME: why").
use strict;
use warnings;
use DBI;
use DBD::Pg qw(:async);
use Time::HiRes qw(sleep);

my $dsn = "dbi:Pg:dbname=$ENV{LT_DB};host=$ENV{PGHOST};port=$ENV{PGPORT}";
my %attr = (RaiseError => 0, PrintError => 0, AutoCommit => 1,
			pg_server_prepare => 1);
my $dbh = DBI->connect($dsn, 'postgres', '', \%attr) or die $DBI::errstr;
my $watcher = DBI->connect($dsn, 'postgres', '', \%attr) or die $DBI::errstr;

sub check {
	my ($name, $ok, $why) = @_;
	print $ok ? "ok $name\n" : "not ok $name: $why\n";
}

sub mint {
	my ($name, $scopes) = @_;
	my $sth = $dbh->prepare(
		'SELECT token_id, token FROM loop_tokens.mint($1, $2, $3::text[])');
	$sth->execute('org1', $name, $scopes) or die $dbh->errstr;
	my ($id, $token) = $sth->fetchrow_array;
	print "token $name $token\n";
	return ($id, $token);
}

# Run sql with the bind parameters; return (SQLSTATE, error text).
sub call {
	my ($sql, @params) = @_;
	my $sth = $dbh->prepare($sql);
	$sth->execute(@params);
	my $state = $sth->err ? $dbh->state : '00000';
	my $text = $sth->err ? $dbh->errstr : '';
	$sth->finish;
	return ($state, $text);
}

$dbh->do("INSERT INTO loop_tokens.loops VALUES ('org1', 'loopA', 'A'), ('org1', 'loopB', 'B')")
	or die $dbh->errstr;

my ($all_id, $all) = mint('all-loops', '{loop:run}');
my ($one_id, $one) = mint('loop-a-only', '{loop:run:loopA}');
my ($gone_id, $gone) = mint('revoked', '{loop:run}');

my $verify = 'SELECT loop_tokens.verify($1, $2, $3)';
my $trigger = 'SELECT loop_tokens.trigger($1, $2, $3, $4::jsonb)';
my ($state, $text);

($state) = call($verify, $all, 'org1', 'loopA');
check('verify valid token', $state eq '00000', "SQLSTATE $state");

($state) = call($trigger, 'org1', 'loopB', $all, '{"k": 1}');
check('trigger valid token', $state eq '00000', "SQLSTATE $state");

$dbh->begin_work;
($state) = call($verify, $one, 'org1', 'loopA');
$dbh->commit;
check('verify in transaction', $state eq '00000', "SQLSTATE $state");

($state) = call('SELECT loop_tokens.revoke($1::uuid, $2)', $gone_id, 'secrets-test');
check('revoke token', $state eq '00000', "SQLSTATE $state");

# Every error path, with the token as a parameter; no message may quote it.
my $typo = substr($all, 0, length($all) - 1) . (substr($all, -1) eq 'A' ? 'B' : 'A');
my @errors = (
	['revoked token 28000', '28000', $verify, $gone, 'org1', 'loopA'],
	['other org 28000', '28000', $verify, $all, 'org2', 'loopA'],
	['bad checksum 28000', '28000', $verify, $typo, 'org1', 'loopA'],
	['scope 42501', '42501', $verify, $one, 'org1', 'loopB'],
	['trigger scope 42501', '42501', $trigger, 'org1', 'loopB', $one, '{}'],
	['unknown loop P0002', 'P0002', $trigger, 'org1', 'nope', $all, '{}'],
	['body not object 22023', '22023', $trigger, 'org1', 'loopA', $all, '[1]'],
	['hash malformed 22P02', '22P02', 'SELECT loop_tokens.hash($1)', $typo],
);
for my $case (@errors) {
	my ($name, $want, $sql, @params) = @$case;
	($state, $text) = call($sql, @params);
	check("$name state", $state eq $want, "got SQLSTATE $state");
	my $leak = grep { index($text, substr($_, 8, 39)) >= 0 } ($all, $one, $gone, $typo);
	check("$name message clean", !$leak, "error text quotes a token");
	print "error $name: $text\n";
}

# pg_stat_activity while a call with a token is running.
my $sth = $dbh->prepare('SELECT loop_tokens.verify($1, $2, $3), pg_catalog.pg_sleep(1)',
						{pg_async => PG_ASYNC});
$sth->execute($all, 'org1', 'loopA');
sleep(0.3);
my ($query) = $watcher->selectrow_array(
	'SELECT query FROM pg_catalog.pg_stat_activity WHERE pid = $1',
	undef, $dbh->{pg_pid});
$sth->pg_result;
$sth->finish;
$query //= '';
check('activity shows placeholder', index($query, 'verify($1, $2, $3)') >= 0,
	  "query is \"$query\"");
check('activity hides token', index($query, substr($all, 8, 39)) < 0,
	  'pg_stat_activity.query contains the token');

# A token passed as a literal in SQL text (simple protocol), the way not to
# do it: the log hook must still mask it.
my ($literal_id, $literal) = mint('literal', '{loop:run}');
$dbh->{pg_server_prepare} = 0;
$dbh->do("SELECT loop_tokens.verify('$literal', 'org1', 'loopA')");
$dbh->do("SELECT loop_tokens.verify('$literal', 'org2', 'loopA')");
$dbh->{pg_server_prepare} = 1;

$dbh->disconnect;
$watcher->disconnect;
