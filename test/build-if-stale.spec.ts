import { decideBuild } from '../scripts/build-if-stale.mjs';

// The decision scripts/build-if-stale.mjs makes before `npm start`, `npm run cli` and the like.
describe('decideBuild', () => {
  const STAMP = 1_000_000;

  it('builds when dist/ has no stamp (never built, or the last build failed)', () => {
    expect(decideBuild(null, [{ path: 'src/main.ts', mtimeMs: 1 }])).toEqual({ build: true, reason: 'dist/ has no build stamp' });
  });

  it('does not build when every input is older than the stamp', () => {
    expect(
      decideBuild(STAMP, [
        { path: 'src/', mtimeMs: STAMP - 50 },
        { path: 'src/main.ts', mtimeMs: STAMP - 10 },
        { path: 'package.json', mtimeMs: STAMP - 1 },
      ]),
    ).toEqual({ build: false });
  });

  it('builds when an input is newer, naming the newest', () => {
    expect(
      decideBuild(STAMP, [
        { path: 'src/main.ts', mtimeMs: STAMP + 5 },
        { path: 'tsconfig.build.json', mtimeMs: STAMP + 20 },
        { path: 'src/cli/main.ts', mtimeMs: STAMP - 5 },
      ]),
    ).toEqual({ build: true, reason: 'dist/ is older than tsconfig.build.json' });
  });

  it('counts an input modified in the same instant as the stamp as newer', () => {
    expect(decideBuild(STAMP, [{ path: 'src/main.ts', mtimeMs: STAMP }])).toEqual({ build: true, reason: 'dist/ is older than src/main.ts' });
  });

  it('names a directory whose listing changed (a file added, removed or renamed) when no file in it is newer', () => {
    expect(
      decideBuild(STAMP, [
        { path: 'src/tickets/', mtimeMs: STAMP + 1 },
        { path: 'src/tickets/a.ts', mtimeMs: STAMP - 1 },
      ]),
    ).toEqual({ build: true, reason: 'dist/ is older than src/tickets/ (a file there was added, removed or renamed)' });
  });

  it('prefers the file over its directory when both changed at once (a new file)', () => {
    expect(
      decideBuild(STAMP, [
        { path: 'src/', mtimeMs: STAMP + 1 },
        { path: 'src/new.ts', mtimeMs: STAMP + 1 },
      ]),
    ).toEqual({ build: true, reason: 'dist/ is older than src/new.ts' });
  });
});
