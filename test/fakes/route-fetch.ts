/**
 * A fetch that sends requests for the given host names to a fake's `/__host/<name>/…` route, as a
 * hosts-file entry would: the URLs a provider returns stay the host's own (https://x.herokuapp.com/),
 * while the verify stage's requests reach the fake, which serves them from the running image.
 */
export function routeFetch(routes: () => Record<string, string>): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const base = routes()[url.hostname]
    if (base === undefined) return fetch(input, init)
    return fetch(`${base}/__host/${url.hostname}${url.pathname}${url.search}`, init)
  }
}
