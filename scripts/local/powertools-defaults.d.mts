/** Types of powertools-defaults.mjs (plain JavaScript: `launch.mjs` runs it before anything is built). */
export function usePowertoolsLocalDefaults(): void;
