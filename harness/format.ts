/** `1 pet`, `1,000 pets`: counts in the run's lines. */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
