// mvncmp ships no types: it exports Maven's ComparableVersion order as one function.
declare module 'mvncmp' {
  export function compare(a: string, b: string): number;
}
