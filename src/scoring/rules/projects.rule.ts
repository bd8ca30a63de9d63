import { projectKey } from '../../common/normalize.js';
import type { Signal } from '../scoring.types.js';
import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'projects';

/** Claimed projects: the account's own are public knowledge (near zero); others are contradictions. */
export function projectsRule({ ticket, account, config }: RuleInput): RuleResult {
  const w = config.weights;
  const owned = new Set(account.projects.map((p) => projectKey(p.name)));
  const seen = new Set<string>();
  const signals: Signal[] = [];
  let points = 0;
  for (const name of ticket.claims.projects) {
    const key = projectKey(name);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    if (owned.has(key)) {
      const effect = Math.max(0, Math.min(w.projectKnown, w.projectKnownCap - points));
      points += effect;
      signals.push({ rule: RULE, effect, kind: 'public', reason: `project ${key} is the account's (public knowledge)` });
    } else {
      signals.push({ rule: RULE, effect: -w.contradiction, kind: 'contradiction', reason: `project ${key} is not the account's` });
    }
  }
  return { signals };
}
