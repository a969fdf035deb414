// Generates src/api/schema.d.ts from the service's OpenAPI document, so the
// page's types are never written twice. `node scripts/generate-api.mjs`
// writes the file; `--check` only compares and fails when it is stale.
// The document lives outside the repository: ../../shared/spec/openapi.yaml
// from web/ (OPENAPI_SPEC overrides).

import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'

const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const SPEC_PATH = process.env.OPENAPI_SPEC
  ? resolve(process.env.OPENAPI_SPEC)
  : resolve(WEB_DIR, '..', '..', 'shared', 'spec', 'openapi.yaml')
export const SCHEMA_PATH = resolve(WEB_DIR, 'src', 'api', 'schema.d.ts')

const HEADER = `// Generated from shared/spec/openapi.yaml by scripts/generate-api.mjs
// (npm run gen:api). Do not edit by hand.

`

export function specExists() {
  return existsSync(SPEC_PATH)
}

/** The text schema.d.ts must have for the current document. */
export async function generate() {
  const ast = await openapiTS(pathToFileURL(SPEC_PATH), { alphabetize: false })
  return HEADER + astToString(ast)
}

async function main() {
  if (!specExists()) {
    console.error(`generate-api: ${SPEC_PATH} not found (set OPENAPI_SPEC)`)
    process.exit(2)
  }
  const text = await generate()
  if (process.argv.includes('--check')) {
    const current = await readFile(SCHEMA_PATH, 'utf8').catch(() => '')
    if (current !== text) {
      console.error('src/api/schema.d.ts is out of date: run npm run gen:api')
      process.exit(1)
    }
    console.log('src/api/schema.d.ts is up to date')
    return
  }
  await writeFile(SCHEMA_PATH, text)
  console.log(`wrote ${SCHEMA_PATH}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
