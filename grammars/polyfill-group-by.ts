// chevrotain >= 12 calls Object.groupBy while validating a grammar; Node 20 lacks it (added in 21).
// Importing this module before any parser is built installs a minimal, spec-shaped fallback.
const objectWithGroupBy = Object as unknown as { groupBy?: unknown };
if (typeof objectWithGroupBy.groupBy !== "function") {
  objectWithGroupBy.groupBy = <T>(items: Iterable<T>, keyOf: (item: T, index: number) => PropertyKey) => {
    const groups: Record<PropertyKey, T[]> = Object.create(null);
    let index = 0;
    for (const item of items) (groups[keyOf(item, index++)] ??= []).push(item);
    return groups;
  };
}
export {};
