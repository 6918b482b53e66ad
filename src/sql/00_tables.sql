-- loop_tokens 1.0: tables.  The install script loop_tokens--1.0.sql is
-- made by "make" from the files in src/sql/, in name order.

COMMENT ON SCHEMA loop_tokens IS
	'API tokens that trigger loops: tables, views and functions of the loop_tokens extension.';

CREATE TABLE loop_tokens.loops (
	org_id text NOT NULL,
	loop_id text NOT NULL,
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT loops_pkey PRIMARY KEY (org_id, loop_id),
	CONSTRAINT loops_org_id_check CHECK (org_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	CONSTRAINT loops_loop_id_check CHECK (loop_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	CONSTRAINT loops_name_check
		CHECK (pg_catalog.length(name) BETWEEN 1 AND 200 AND name !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]')
);

COMMENT ON TABLE loop_tokens.loops IS
	'Loops (workflows) of each organization; written by the platform. Tokens scoped to one loop name a row here.';
COMMENT ON COLUMN loop_tokens.loops.org_id IS
	'Organization id: 1 to 64 ASCII letters, digits, "_" or "-".';
COMMENT ON COLUMN loop_tokens.loops.loop_id IS
	'Loop id, unique within the organization; same alphabet as org_id.';
COMMENT ON COLUMN loop_tokens.loops.name IS
	'Display name of the loop: 1 to 200 characters, no control characters.';
COMMENT ON COLUMN loop_tokens.loops.created_at IS
	'When the loop was registered.';

CREATE TABLE loop_tokens.tokens (
	token_id uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
	org_id text NOT NULL,
	name text NOT NULL,
	prefix text NOT NULL,
	last_four text NOT NULL,
	hash bytea NOT NULL,
	hash_version smallint NOT NULL,
	scopes text[] NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by text NOT NULL,
	last_used_at timestamptz,
	revoked_at timestamptz,
	revoked_by text,
	CONSTRAINT tokens_pkey PRIMARY KEY (token_id),
	CONSTRAINT tokens_hash_key UNIQUE (hash),
	CONSTRAINT tokens_token_id_org_id_key UNIQUE (token_id, org_id),
	CONSTRAINT tokens_org_id_check CHECK (org_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	CONSTRAINT tokens_name_check
		CHECK (pg_catalog.length(name) BETWEEN 1 AND 200 AND name !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]'),
	CONSTRAINT tokens_prefix_check CHECK (prefix ~ '^lpt_[0-9A-Za-z]{4}$'),
	CONSTRAINT tokens_last_four_check CHECK (last_four ~ '^[0-9A-Za-z]{4}$'),
	CONSTRAINT tokens_hash_check CHECK (pg_catalog.octet_length(hash) = 32),
	CONSTRAINT tokens_hash_version_check CHECK (hash_version IN (1, 2)),
	CONSTRAINT tokens_scopes_check
		CHECK (pg_catalog.cardinality(scopes) >= 1 AND pg_catalog.array_position(scopes, NULL) IS NULL),
	CONSTRAINT tokens_revoked_check CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
)
-- verify rewrites last_used_at up to once a second per token.  Free space
-- on each page lets those updates stay heap-only (HOT), so they add no
-- entries to the three indexes.
WITH (fillfactor = 90);

-- mint checks, without a key, that no keyed hash exists; this keeps that
-- check one probe of an index that is empty until a key is used.
CREATE INDEX tokens_keyed_idx ON loop_tokens.tokens (hash_version) WHERE hash_version = 2;

COMMENT ON TABLE loop_tokens.tokens IS
	'API tokens. Only a hash of each token is stored; rows are never deleted, revoked ones stay for audit.';
COMMENT ON COLUMN loop_tokens.tokens.token_id IS
	'Token id, used to revoke the token and to tag runs; not a secret.';
COMMENT ON COLUMN loop_tokens.tokens.org_id IS
	'Organization the token belongs to; it can trigger loops of this organization only.';
COMMENT ON COLUMN loop_tokens.tokens.name IS
	'Name given at mint: 1 to 200 characters, no control characters.';
COMMENT ON COLUMN loop_tokens.tokens.prefix IS
	'First 8 characters of the token ("lpt_" and 4), kept in the clear to recognise it.';
COMMENT ON COLUMN loop_tokens.tokens.last_four IS
	'Last 4 characters of the token (part of its checksum), kept in the clear.';
COMMENT ON COLUMN loop_tokens.tokens.hash IS
	'Hash of the full token under scheme hash_version; the token itself is never stored.';
COMMENT ON COLUMN loop_tokens.tokens.hash_version IS
	'Hash scheme: 1 = BLAKE2b-256 personalised with "lpt-token-hash.1"; 2 = BLAKE2b-256 keyed with the server key (loop_tokens.hash_key_file) and personalised with "lpt-token-hash.2".';
COMMENT ON COLUMN loop_tokens.tokens.scopes IS
	'What the token may do: "loop:run" (every loop of the organization) or "loop:run:<loopId>" (one loop).';
COMMENT ON COLUMN loop_tokens.tokens.created_at IS
	'When the token was minted.';
COMMENT ON COLUMN loop_tokens.tokens.created_by IS
	'Who minted the token (the created_by argument of mint, by default the session user).';
COMMENT ON COLUMN loop_tokens.tokens.last_used_at IS
	'Last successful verify, to about one second; NULL if never used. Never moves backwards.';
COMMENT ON COLUMN loop_tokens.tokens.revoked_at IS
	'When the token was revoked; NULL while active. Set once, never cleared.';
COMMENT ON COLUMN loop_tokens.tokens.revoked_by IS
	'Who revoked the token; set together with revoked_at.';

CREATE TABLE loop_tokens.runs (
	run_id text NOT NULL,
	workflow_instance_id uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
	org_id text NOT NULL,
	loop_id text NOT NULL,
	body jsonb NOT NULL DEFAULT '{}',
	token_id uuid,
	triggered_by text,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT runs_pkey PRIMARY KEY (run_id),
	CONSTRAINT runs_workflow_instance_id_key UNIQUE (workflow_instance_id),
	CONSTRAINT runs_run_id_check CHECK (run_id ~ '^run_[0-9A-Za-z]{22}$'),
	CONSTRAINT runs_body_check CHECK (pg_catalog.jsonb_typeof(body) = 'object'),
	CONSTRAINT runs_token_or_user_check CHECK ((token_id IS NULL) <> (triggered_by IS NULL)),
	CONSTRAINT runs_triggered_by_check
		CHECK (pg_catalog.length(triggered_by) BETWEEN 1 AND 200 AND triggered_by !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]'),
	CONSTRAINT runs_loop_fkey FOREIGN KEY (org_id, loop_id)
		REFERENCES loop_tokens.loops (org_id, loop_id),
	CONSTRAINT runs_token_fkey FOREIGN KEY (token_id, org_id)
		REFERENCES loop_tokens.tokens (token_id, org_id)
);

CREATE INDEX runs_token_id_idx ON loop_tokens.runs (token_id) WHERE token_id IS NOT NULL;
CREATE INDEX runs_org_loop_created_idx ON loop_tokens.runs (org_id, loop_id, created_at);

COMMENT ON TABLE loop_tokens.runs IS
	'Runs of loops, each triggered either by a token or by a user.';
COMMENT ON COLUMN loop_tokens.runs.run_id IS
	'Run id: "run_" and 22 base62 characters (128 random bits), filled in when NULL.';
COMMENT ON COLUMN loop_tokens.runs.workflow_instance_id IS
	'Id of the workflow instance that executes the run.';
COMMENT ON COLUMN loop_tokens.runs.org_id IS
	'Organization of the loop.';
COMMENT ON COLUMN loop_tokens.runs.loop_id IS
	'Loop that was triggered.';
COMMENT ON COLUMN loop_tokens.runs.body IS
	'Event body of the run: the JSON object sent with the trigger.';
COMMENT ON COLUMN loop_tokens.runs.token_id IS
	'Token that triggered the run; set by a trigger when the inserting transaction verified a token.';
COMMENT ON COLUMN loop_tokens.runs.triggered_by IS
	'User who triggered the run, for runs not triggered by a token.';
COMMENT ON COLUMN loop_tokens.runs.created_at IS
	'When the run was created.';
