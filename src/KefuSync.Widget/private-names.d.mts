/** The private member names of client/ that esbuild may shorten (see private-names.mjs). */
export function privateNames(root?: string): string[];
/** The esbuild `mangleProps` option for those names, or undefined when there are none. */
export function mangleProps(): RegExp | undefined;
