import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, project, ticket } from '../scoring.fixtures.js';
import { projectsRule } from './projects.rule.js';

const run = (projects: string[], a = account()) =>
  projectsRule({ ticket: ticket({ claims: { projects } }), account: a, config: C, now: NOW, shares: configuredShares(C) });
const total = (r: ReturnType<typeof run>) => r.signals.reduce((s, x) => s + x.effect, 0);

describe('projectsRule', () => {
  it("gives public-knowledge points for the account's projects, PEP 503 normalised", () => {
    const r = run(['fancy-lib', 'Other.Tool']);
    expect(r.signals.map((s) => s.kind)).toEqual(['public', 'public']);
    expect(total(r)).toBe(2 * C.weights.projectKnown);
  });

  it('counts duplicates once', () => {
    expect(run(['fancy-lib', 'FANCY_LIB', 'fancy.lib']).signals).toHaveLength(1);
  });

  it('caps the points', () => {
    const a = account({ projects: ['a', 'b', 'c', 'd', 'e'].map((n) => project(n)) });
    expect(total(run(['a', 'b', 'c', 'd', 'e'], a))).toBe(C.weights.projectKnownCap);
  });

  it('calls a project the account does not have a contradiction', () => {
    const r = run(['requests']);
    expect(r.signals).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -C.weights.contradiction })]);
  });

  it('says nothing when no project is claimed', () => {
    expect(run([]).signals).toEqual([]);
  });
});
