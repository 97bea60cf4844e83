// Types the console's modules share, for their JSDoc (`npm run lint` type-checks them with
// platform/console/tsconfig.json; the browser loads the .js files as they are).

/** A record or answer of the platform's API, as JSON: jobs, models, services, pages of lists. */
type Json = Record<string, any>;

/** What `h()` takes as children: nodes, text, nothing, or lists of them. */
type Child = Node | string | number | null | undefined | false | Child[];

/** A problem the API names in a request (`errors[]`). */
interface Problem {
  path: string;
  message: string;
}

/** What a page lives by (app.js): a signal aborted when the user leaves it, and pollers that stop then. */
interface PageLife {
  signal: AbortSignal;
  leave(): void;
  every(ms: number, fn: () => unknown): void;
  watch<T>(ms: number, load: (signal: AbortSignal) => Promise<T>, render: (data: T, first: boolean) => void): Promise<void>;
}

/** What the router hands a page: the route's parameters, the query string and the page's life. */
interface PageContext {
  params: (string | undefined)[];
  query: URLSearchParams;
  life: PageLife;
}

type Page = (main: HTMLElement, context: PageContext) => unknown;
