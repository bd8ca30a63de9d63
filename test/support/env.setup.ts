// Runs before each test file is loaded: entities pick their column types from DATABASE_URL on import,
// so the dialect must be settled here. CI sets DATABASE_URL=postgres://… for its PostgreSQL pass.
process.env.DATABASE_URL ||= 'sqlite:var/test.sqlite';
process.env.TZ ||= 'UTC';
