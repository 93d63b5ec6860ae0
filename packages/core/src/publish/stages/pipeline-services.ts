import type { csvsToSqlite, inspectDatabase, writeInspectFile, assertSqliteDatabase } from '../../data/index.js'
import type { createBuildContext, buildImage, analyzeImage, assertWithinBudget } from '../../image/index.js'
import type { pushEngineImage } from './push-engine-image.js'
import { defaultAppendServices, type AppendServices } from './append-services.js'
import type { verifyDeployment } from './verify-deployment.js'

/**
 * The stage implementations the runner calls. Defaults load their modules on first use, so a
 * dry run or a bundle provider never loads the image code; tests replace any of them.
 */
export interface PipelineServices extends AppendServices {
  csvsToSqlite: typeof csvsToSqlite
  inspectDatabase: typeof inspectDatabase
  writeInspectFile: typeof writeInspectFile
  assertSqliteDatabase: typeof assertSqliteDatabase
  createBuildContext: typeof createBuildContext
  buildImage: typeof buildImage
  analyzeImage: typeof analyzeImage
  assertWithinBudget: (...args: Parameters<typeof assertWithinBudget>) => Promise<void>
  pushEngineImage: typeof pushEngineImage
  verifyDeployment: typeof verifyDeployment
}

export function defaultPipelineServices(): PipelineServices {
  const data = () => import('../../data/index.js')
  const image = () => import('../../image/index.js')
  return {
    csvsToSqlite: async (...args) => (await data()).csvsToSqlite(...args),
    inspectDatabase: async (...args) => (await data()).inspectDatabase(...args),
    writeInspectFile: async (...args) => (await data()).writeInspectFile(...args),
    assertSqliteDatabase: async (...args) => (await data()).assertSqliteDatabase(...args),
    createBuildContext: async (...args) => (await image()).createBuildContext(...args),
    buildImage: async (...args) => (await image()).buildImage(...args),
    analyzeImage: async (...args) => (await image()).analyzeImage(...args),
    assertWithinBudget: async (...args) => (await image()).assertWithinBudget(...args),
    pushEngineImage: async (...args) => (await import('./push-engine-image.js')).pushEngineImage(...args),
    verifyDeployment: async (...args) => (await import('./verify-deployment.js')).verifyDeployment(...args),
    ...defaultAppendServices(),
  }
}
