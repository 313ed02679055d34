import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number;
}

/**
 * One validation rule for depth, alias count and field count (a simple cost bound), following fragments.
 * Errors carry extensions.code = QUERY_TOO_COMPLEX and the limit that was hit.
 */
export function queryLimitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const measure = (
      set: SelectionSetNode,
      depth: number,
      seen: Set<string>,
      acc: { depth: number; aliases: number; fields: number },
    ) => {
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          acc.fields++;
          if (sel.alias) acc.aliases++;
          acc.depth = Math.max(acc.depth, depth + 1);
          if (sel.selectionSet) measure(sel.selectionSet, depth + 1, seen, acc);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          measure(sel.selectionSet, depth, seen, acc);
        } else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          if (!frag || seen.has(name)) continue; // cycles are reported by the standard rules
          const next = new Set(seen).add(name);
          measure(frag.selectionSet, depth, next, acc);
        }
      }
    };
    return {
      OperationDefinition(node) {
        const acc = { depth: 0, aliases: 0, fields: 0 };
        measure(node.selectionSet, 0, new Set(), acc);
        const fail = (what: string, value: number, max: number) =>
          context.reportError(
            new GraphQLError(
              `Operation ${what} is ${value}; the limit is ${max}. Split the operation or request fewer fields.`,
              {
                nodes: [node],
                extensions: { code: 'QUERY_TOO_COMPLEX', limit: what, value, max },
              },
            ),
          );
        if (acc.depth > limits.maxDepth) fail('depth', acc.depth, limits.maxDepth);
        if (acc.aliases > limits.maxAliases) fail('alias count', acc.aliases, limits.maxAliases);
        if (acc.fields > limits.maxFields) fail('field count', acc.fields, limits.maxFields);
      },
    };
  };
}
