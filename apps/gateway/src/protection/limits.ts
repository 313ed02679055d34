import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number;
}

/** What a selection set costs: its deepest field level (relative), its aliases and its field selections. */
interface Cost {
  depth: number;
  aliases: number;
  fields: number;
}

type LimitName = 'depth' | 'alias count' | 'field count';

/** Thrown inside the walk at the first limit passed; the walk stops there. */
class LimitPassed {
  constructor(
    readonly limit: LimitName,
    readonly value: number,
    readonly max: number,
  ) {}
}

/**
 * One validation rule for depth, alias count and field count (a simple cost bound), following fragments.
 *
 * Every field counts, introspection (`__schema`, `__type`, `__typename`, …) included. Each fragment's cost is computed
 * once per document and reused at every spread, so nested fragments ("fragment bombs") cost linear time; a spread
 * of a fragment that is still being measured (a cycle) adds nothing here — the standard NoFragmentCycles rule reports
 * it. The walk stops at the first limit passed, and one error is reported per operation, with
 * extensions.code = QUERY_TOO_COMPLEX, the limit, the value reached when the walk stopped (a lower bound) and the max.
 */
export function queryLimitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const memo = new Map<string, Cost>();
    const inProgress = new Set<string>();

    const check = (acc: Cost) => {
      if (acc.depth > limits.maxDepth) throw new LimitPassed('depth', acc.depth, limits.maxDepth);
      if (acc.aliases > limits.maxAliases) throw new LimitPassed('alias count', acc.aliases, limits.maxAliases);
      if (acc.fields > limits.maxFields) throw new LimitPassed('field count', acc.fields, limits.maxFields);
    };

    /** The cost of a fragment's selection set relative to where it is spread; computed once per name. */
    const fragmentCost = (name: string): Cost | undefined => {
      const known = memo.get(name);
      if (known) return known;
      const frag = fragments.get(name);
      if (!frag || inProgress.has(name)) return undefined; // unknown fragments and cycles: standard rules report them
      inProgress.add(name);
      try {
        // A fragment that alone passes a limit passes it wherever it is spread, so checking here is sound.
        const cost: Cost = { depth: 0, aliases: 0, fields: 0 };
        measure(frag.selectionSet, 0, cost);
        memo.set(name, cost);
        return cost;
      } finally {
        inProgress.delete(name);
      }
    };

    const measure = (set: SelectionSetNode, depth: number, acc: Cost): void => {
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          acc.fields++;
          if (sel.alias) acc.aliases++;
          acc.depth = Math.max(acc.depth, depth + 1);
          check(acc);
          if (sel.selectionSet) measure(sel.selectionSet, depth + 1, acc);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          measure(sel.selectionSet, depth, acc);
        } else {
          const cost = fragmentCost(sel.name.value);
          if (!cost) continue;
          acc.fields += cost.fields;
          acc.aliases += cost.aliases;
          acc.depth = Math.max(acc.depth, depth + cost.depth);
          check(acc);
        }
      }
    };

    const report = (node: OperationDefinitionNode, { limit, value, max }: LimitPassed) =>
      context.reportError(
        new GraphQLError(
          `Operation ${limit} is at least ${value}; the limit is ${max}. Split the operation or request fewer fields.`,
          { nodes: [node], extensions: { code: 'QUERY_TOO_COMPLEX', limit, value, max } },
        ),
      );

    return {
      OperationDefinition(node) {
        try {
          measure(node.selectionSet, 0, { depth: 0, aliases: 0, fields: 0 });
        } catch (e) {
          if (e instanceof LimitPassed) report(node, e);
          else throw e;
        }
        return false; // nothing below needs visiting by this rule
      },
      FragmentDefinition() {
        return false;
      },
    };
  };
}
