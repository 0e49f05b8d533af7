// Every rule, in the order they are documented. Adding a rule means adding it here.
import { closeWithUnsent } from "./close-with-unsent.js";
import { exitWithUnsent } from "./exit-with-unsent.js";
import type { Rule, RuleName } from "./rule.js";
import { shutdownWithUnsent } from "./shutdown-with-unsent.js";

export const RULES: readonly Rule[] = [shutdownWithUnsent, closeWithUnsent, exitWithUnsent];

export const RULE_NAMES: readonly RuleName[] = RULES.map((r) => r.name);

export function isRuleName(s: string): s is RuleName {
  return (RULE_NAMES as readonly string[]).includes(s);
}
