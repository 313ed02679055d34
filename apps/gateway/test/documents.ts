/**
 * A "fragment bomb": F<levels> spreads F<levels-1> twice, …, F2 spreads F1 twice, F1 selects `leaf`. Walked without
 * memoisation it costs 2^(levels-1) visits of F1.
 */
export function fragmentBomb(levels = 30, type = 'Query', leaf = 'viewer { accountId accountName }'): string {
  const frags = [`fragment F1 on ${type} { ${leaf} }`];
  for (let i = 2; i <= levels; i++) frags.push(`fragment F${i} on ${type} { ...F${i - 1} ...F${i - 1} }`);
  return `query Bomb { ...F${levels} }\n${frags.join('\n')}`;
}
