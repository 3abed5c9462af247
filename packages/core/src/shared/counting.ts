/** "1 session", "3 sessions": a count and the noun that goes with it, for sentences people read. */
export const countOf = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;
