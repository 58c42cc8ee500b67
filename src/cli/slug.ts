// An assistant's file name: the lower-case name with every run of other characters as `-`
// (SPEC section 14). `Support Bot (EU)` is `support-bot-eu`.

export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A file's stem is usable as a slug only when it is one: what slugOf would make of it. */
export function isSlug(text: string): boolean {
  return text !== '' && slugOf(text) === text;
}

/** Things grouped by the slug `slugFor` gives each: more than one in a group is a clash to report. */
export function groupBySlug<T>(items: T[], slugFor: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const slug = slugFor(item);
    groups.set(slug, [...(groups.get(slug) ?? []), item]);
  }
  return groups;
}
