// Every rule, in the order they are documented. Adding a rule means adding it here.
import { abortiveClose } from "./abortive-close.js";
import { closeWithUnreadInput } from "./close-with-unread-input.js";
import { closeWithUnsent } from "./close-with-unsent.js";
import { exitWithUnsent } from "./exit-with-unsent.js";
import { httpShortBody } from "./http-short-body.js";
import type { Rule, RuleInfo, RuleName, RiskRule } from "./rule.js";
import { shutdownWithUnsent } from "./shutdown-with-unsent.js";

/** The tail-of-bytes rules: the first that matches a stream's point of no return wins. */
export const LOSS_RULES: readonly Rule[] = [shutdownWithUnsent, closeWithUnsent, exitWithUnsent];

/** http-short-body is checked at a point of no return no loss rule claimed (it enriches one
 * that did); the RST rules at the last close, whatever came before. */
export const RISK_RULES: readonly RiskRule[] = [httpShortBody, abortiveClose, closeWithUnreadInput];

export const RULES: readonly RuleInfo[] = [...LOSS_RULES, ...RISK_RULES];

export const RULE_NAMES: readonly RuleName[] = RULES.map((r) => r.name);

export function isRuleName(s: string): s is RuleName {
  return (RULE_NAMES as readonly string[]).includes(s);
}
