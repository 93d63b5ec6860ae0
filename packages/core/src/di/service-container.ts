import type { DependencyContainer, InjectionToken } from 'tsyringe'
import { lazyRequire } from '../util/lazy-require.js'

// tsyringe needs the Reflect polyfill loaded first; both wait until a container is made.
const tsyringe = lazyRequire<typeof import('tsyringe')>('tsyringe')
const reflectMetadata = lazyRequire<unknown>('reflect-metadata')

/**
 * The only place tsyringe is touched: a small facade (register, resolve, child, dispose), so the
 * rest of core, providers and tests never import it, and a swap would touch one file.
 * Registrations are factories: esbuild-based transforms emit no decorator metadata.
 */
export class ServiceContainer {
  private constructor(private readonly inner: DependencyContainer) {}

  /** A fresh container that never writes to tsyringe's global one. */
  static create(): ServiceContainer {
    reflectMetadata()
    return new ServiceContainer(tsyringe().container.createChildContainer())
  }

  registerValue<T>(token: InjectionToken<T>, value: T): this {
    this.inner.register(token, { useValue: value })
    return this
  }

  /** A factory evaluated once per container (per publish when registered on a child). */
  registerFactory<T>(token: InjectionToken<T>, factory: (c: ServiceContainer) => T): this {
    let made = false
    let value: T
    this.inner.register(token, {
      useFactory: () => {
        if (!made) ((value = factory(this)), (made = true))
        return value
      },
    })
    return this
  }

  resolve<T>(token: InjectionToken<T>): T {
    return this.inner.resolve(token)
  }

  isRegistered<T>(token: InjectionToken<T>): boolean {
    return this.inner.isRegistered(token, true)
  }

  createChild(): ServiceContainer {
    return new ServiceContainer(this.inner.createChildContainer())
  }

  async dispose(): Promise<void> {
    await this.inner.dispose()
  }
}
