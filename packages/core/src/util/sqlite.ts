import type Database from 'better-sqlite3'
import { lazyRequire } from './lazy-require.js'

type DatabaseConstructor = new (file: string, options?: Database.Options) => Database.Database

/** better-sqlite3's constructor, loaded (with its native addon) on the first database opened. */
export const sqlite: () => DatabaseConstructor = lazyRequire<DatabaseConstructor>('better-sqlite3')
