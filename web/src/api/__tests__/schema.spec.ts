// @vitest-environment node
// schema.d.ts must be what openapi-typescript makes of the current
// shared/spec/openapi.yaml: the page's types never drift from the document.

import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs script without type declarations
import { generate, SCHEMA_PATH, SPEC_PATH, specExists } from '../../../scripts/generate-api.mjs'

const present = specExists() as boolean
if (!present) console.warn(`schema check skipped: ${SPEC_PATH as string} not found (the spec lives outside the repository)`)

describe('generated API types', () => {
  it.skipIf(!present)('src/api/schema.d.ts is up to date with openapi.yaml (else: npm run gen:api)', async () => {
    const committed = await readFile(SCHEMA_PATH as string, 'utf8')
    expect(committed === (await generate())).toBe(true)
  }, 30_000)
})
