// Mounting helpers for component tests: the active Pinia (fresh per test, see
// setup.ts), a router on memory history, and server-state entries seeded
// without any request.

import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import type { Component } from 'vue'
import { createAppRouter } from '@/router'
import { useServerState, type DataOf, type ResourceKey } from '@/stores/serverState'

/** Puts `data` into the store as if it had been loaded. */
export function seed<K extends ResourceKey>(key: K, data: DataOf<K>, etag: string | null = null) {
  useServerState().entries[key] = { data, etag, revisions: null, status: 'ready', error: null }
}

export function testRouter() {
  return createAppRouter(createMemoryHistory())
}

export function mountWith<C extends Component>(component: C, options: ComponentMountingOptions<C> = {}) {
  const router = testRouter()
  const wrapper = mount(component, {
    ...options,
    global: { plugins: [getActivePinia()!, router], ...(options.global ?? {}) },
  } as ComponentMountingOptions<C>)
  return { wrapper, router }
}
