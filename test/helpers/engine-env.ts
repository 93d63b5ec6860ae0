/** What the engine tier was given by scripts/dev-env (see engine-global-setup.ts). */
export function engineEnv(): { dockerHost: string; baseImage: string; runtimeImage: string; wheels: string; registry?: string } {
  const need = (name: string): string => {
    const value = process.env[name]
    if (!value) throw new Error(`${name} is not set: run the engine tier through vitest's engine project (it runs scripts/dev-env up).`)
    return value
  }
  return {
    dockerHost: need('DOCKER_HOST'),
    baseImage: need('DATAPUB_TEST_BASE_BUILD'),
    runtimeImage: need('DATAPUB_TEST_BASE_RUNTIME'),
    // Real Datasette's pinned wheelhouse; dev-env points this at the stand-in only when no package index answers.
    wheels: process.env.DATAPUB_DATASETTE_WHEELS || need('DATAPUB_STANDIN_WHEELS'),
    ...(process.env.DATAPUB_REGISTRY ? { registry: process.env.DATAPUB_REGISTRY } : {}),
  }
}
