// Runs before every unit test file: each test gets fresh stores (no shared
// instance leaks from one test to the next) and a clean browser state.

import { afterEach, beforeEach } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

const browser = typeof document !== 'undefined'

beforeEach(() => {
  setActivePinia(createPinia())
  if (!browser) return
  localStorage.clear()
  document.documentElement.removeAttribute('data-theme')
  document.body.innerHTML = ''
})

afterEach(() => {
  if (browser) localStorage.clear()
})
